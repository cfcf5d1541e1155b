namespace CloneFlow.Core.Notifications;

/// <summary>Sends a notification on one channel (or fans out to several).</summary>
public interface INotifier
{
    /// <summary>
    /// Sends <paramref name="notification"/> to <paramref name="recipients"/>. Never throws for a
    /// delivery failure (the result says what failed and why); only cancellation is thrown.
    /// </summary>
    Task<NotificationResult> NotifyAsync(Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken);
}
