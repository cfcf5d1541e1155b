using System.Net.Http.Json;
using CloneFlow.Core.Secrets;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Core.Notifications;

/// <summary>
/// Posts an Adaptive Card to a Teams channel through a Teams Workflows webhook. The webhook URL is
/// read from the secret provider on each send and never logged or returned: failures name the secret.
/// </summary>
public sealed class TeamsWorkflowNotifier : INotifier
{
    /// <summary>The channel name in results.</summary>
    public const string Channel = "teams";

    private readonly ISecretProvider _secrets;
    private readonly TeamsWorkflowOptions _options;
    private readonly ILogger<TeamsWorkflowNotifier> _logger;
    private readonly NotificationHttpSender _sender;

    /// <summary>
    /// Creates the notifier. <paramref name="http"/> must not log request URLs (the default
    /// IHttpClientFactory logging does; remove its loggers for this client).
    /// </summary>
    public TeamsWorkflowNotifier(HttpClient http, ISecretProvider secrets, TeamsWorkflowOptions options, ILogger<TeamsWorkflowNotifier> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.WebhookSecretName);
        _secrets = secrets;
        _options = options;
        _logger = logger;
        _sender = new NotificationHttpSender(http, options.Retry, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    public async Task<NotificationResult> NotifyAsync(Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(recipients);
        var secretName = _options.WebhookSecretName;

        Uri webhook;
        try
        {
            var value = await _secrets.GetSecretAsync(secretName, cancellationToken);
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out webhook!) || (webhook.Scheme != Uri.UriSchemeHttps && webhook.Scheme != Uri.UriSchemeHttp))
            {
                return Failed(notification, 0, $"the secret '{secretName}' does not hold an http(s) webhook URL");
            }
        }
        catch (SecretNotFoundException)
        {
            return Failed(notification, 0, $"the webhook secret '{secretName}' is not set");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The provider's message may be anything; the type is enough to look further.
            return Failed(notification, 0, $"could not read the webhook secret '{secretName}' ({ex.GetType().Name})");
        }

        var card = AdaptiveCardMessage.Build(NotificationTemplates.Render(notification, recipients));
        var outcome = await _sender.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, webhook) { Content = JsonContent.Create(card) }, describeError: null, cancellationToken);
        if (!outcome.Delivered)
        {
            return Failed(notification, outcome.Attempts, $"{outcome.Failure} (webhook secret '{secretName}')");
        }

        _logger.LogInformation("Teams message {Kind} for run {RunId} posted after {Attempts} attempt(s).", notification.Kind, notification.RunId, outcome.Attempts);
        return NotificationResult.Of(NotificationDelivery.Succeeded(Channel, null, outcome.Attempts));
    }

    private NotificationResult Failed(Notification notification, int attempts, string reason)
    {
        _logger.LogWarning("Teams message {Kind} for run {RunId} was not delivered: {Reason}", notification.Kind, notification.RunId, reason);
        return NotificationResult.Of(NotificationDelivery.Failed(Channel, null, attempts, reason));
    }
}
