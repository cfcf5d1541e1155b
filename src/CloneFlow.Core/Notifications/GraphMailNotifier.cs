using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Core.Notifications;

/// <summary>
/// Sends e-mail through Microsoft Graph <c>POST /v1.0/users/{sender}/sendMail</c> with an app-only
/// token. Each recipient gets their own mail, so a personal approval link reaches only its owner.
/// The bearer token is never logged or returned.
/// </summary>
public sealed class GraphMailNotifier : INotifier
{
    /// <summary>The channel name in results.</summary>
    public const string Channel = "email";

    private readonly TokenCredential _credential;
    private readonly GraphMailOptions _options;
    private readonly ILogger<GraphMailNotifier> _logger;
    private readonly NotificationHttpSender _sender;
    private readonly Uri _sendMail;

    /// <summary>Creates the notifier; <paramref name="credential"/> is the app's identity with Graph <c>Mail.Send</c>.</summary>
    public GraphMailNotifier(HttpClient http, TokenCredential credential, GraphMailOptions options, ILogger<GraphMailNotifier> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Sender);
        _credential = credential;
        _options = options;
        _logger = logger;
        _sender = new NotificationHttpSender(http, options.Retry, timeProvider ?? TimeProvider.System);
        _sendMail = new Uri($"{options.GraphBaseUrl.AbsoluteUri.TrimEnd('/')}/v1.0/users/{Uri.EscapeDataString(options.Sender.Trim())}/sendMail");
    }

    /// <inheritdoc />
    public async Task<NotificationResult> NotifyAsync(Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            return Failed(notification, null, 0, "no e-mail recipients");
        }

        AccessToken token;
        try
        {
            token = await _credential.GetTokenAsync(new TokenRequestContext([GraphMailOptions.GraphScope]), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Identity errors can be long and specific; the type says where to look without quoting anything.
            var reason = $"could not get a Microsoft Graph token for {_options.Sender} ({ex.GetType().Name})";
            return NotificationResult.Combine(recipients.Select(r => Failed(notification, r.Address, 0, reason)));
        }

        var results = new List<NotificationResult>(recipients.Count);
        foreach (var recipient in recipients)
        {
            var mail = GraphMailMessage.Build(NotificationTemplates.Render(notification, [recipient]), recipient.Address);
            var outcome = await _sender.SendAsync(
                () => new HttpRequestMessage(HttpMethod.Post, _sendMail)
                {
                    Content = JsonContent.Create(mail),
                    Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token.Token) },
                },
                GraphErrorCode,
                cancellationToken);
            if (outcome.Delivered)
            {
                _logger.LogInformation("Mail {Kind} for run {RunId} sent to {Recipient} after {Attempts} attempt(s).", notification.Kind, notification.RunId, recipient.Address, outcome.Attempts);
                results.Add(NotificationResult.Of(NotificationDelivery.Succeeded(Channel, recipient.Address, outcome.Attempts)));
            }
            else
            {
                results.Add(Failed(notification, recipient.Address, outcome.Attempts, $"{outcome.Failure} (Graph sendMail as {_options.Sender})"));
            }
        }

        return NotificationResult.Combine(results);
    }

    /// <summary>Graph's error code (e.g. <c>ErrorInvalidRecipients</c>); its message is left out because it can quote request data.</summary>
    private static string? GraphErrorCode(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private NotificationResult Failed(Notification notification, string? recipient, int attempts, string reason)
    {
        _logger.LogWarning("Mail {Kind} for run {RunId} to {Recipient} was not sent: {Reason}", notification.Kind, notification.RunId, recipient, reason);
        return NotificationResult.Of(NotificationDelivery.Failed(Channel, recipient, attempts, reason));
    }
}
