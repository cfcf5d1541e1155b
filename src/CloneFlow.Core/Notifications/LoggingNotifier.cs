using Microsoft.Extensions.Logging;

namespace CloneFlow.Core.Notifications;

/// <summary>
/// Writes notifications to a logger, for the local host and tests. Approval links carry bearer
/// tokens, so they are written only when <c>includeApprovalLinks</c> is set (a local console).
/// </summary>
public sealed class LoggingNotifier(ILogger<LoggingNotifier> logger, bool includeApprovalLinks = false) : INotifier
{
    /// <summary>The channel name in results.</summary>
    public const string Channel = "log";

    /// <inheritdoc />
    public Task<NotificationResult> NotifyAsync(Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(recipients);
        cancellationToken.ThrowIfCancellationRequested();
        var message = NotificationTemplates.Render(notification, []);
        logger.LogInformation(
            "{Subject} to {Recipients}: {Text} {Facts} {Links}",
            message.Subject,
            string.Join(", ", recipients),
            message.Text,
            string.Join("; ", message.Facts.Select(f => $"{f.Name}: {f.Value}")),
            string.Join(" ", message.Buttons.Select(b => $"{b.Title} <{b.Url.AbsoluteUri}>")));
        if (includeApprovalLinks)
        {
            foreach (var recipient in recipients.Where(r => r.ApprovalLink is not null))
            {
                logger.LogInformation("Approval link for {Recipient}: {Link}", recipient, recipient.ApprovalLink!.AbsoluteUri);
            }
        }

        return Task.FromResult(NotificationResult.Of(NotificationDelivery.Succeeded(Channel, null, 1)));
    }
}
