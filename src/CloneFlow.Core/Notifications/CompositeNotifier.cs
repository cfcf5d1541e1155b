using Microsoft.Extensions.Logging;

namespace CloneFlow.Core.Notifications;

/// <summary>Sends each notification on every channel at once; one channel failing, or throwing by mistake, does not stop the others.</summary>
public sealed class CompositeNotifier : INotifier
{
    private readonly IReadOnlyList<INotifier> _notifiers;
    private readonly ILogger<CompositeNotifier> _logger;

    /// <summary>Creates the fan-out over <paramref name="notifiers"/>.</summary>
    public CompositeNotifier(IEnumerable<INotifier> notifiers, ILogger<CompositeNotifier> logger)
    {
        ArgumentNullException.ThrowIfNull(notifiers);
        ArgumentNullException.ThrowIfNull(logger);
        _notifiers = [.. notifiers];
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<NotificationResult> NotifyAsync(Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_notifiers.Select(n => NotifyOneAsync(n, notification, recipients, cancellationToken)));
        return NotificationResult.Combine(results);
    }

    private async Task<NotificationResult> NotifyOneAsync(INotifier notifier, Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        try
        {
            return await notifier.NotifyAsync(notification, recipients, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // INotifier promises not to throw; one that does is a bug, but it must not cost the other channels.
            var channel = notifier.GetType().Name;
            _logger.LogError("Notifier {Channel} threw {Exception} for {Kind} of run {RunId}.", channel, ex.GetType().Name, notification.Kind, notification.RunId);
            return NotificationResult.Of(NotificationDelivery.Failed(channel, null, 0, $"{channel} failed unexpectedly ({ex.GetType().Name})"));
        }
    }
}
