using System.Collections.Concurrent;

namespace CloneFlow.Core.Notifications;

/// <summary>Keeps every notification it is given and reports it delivered; for tests and the local demo.</summary>
public sealed class RecordingNotifier : INotifier
{
    /// <summary>The channel name in results.</summary>
    public const string Channel = "recording";

    private readonly ConcurrentQueue<RecordedNotification> _sent = new();

    /// <summary>What was sent, in order.</summary>
    public IReadOnlyList<RecordedNotification> Sent => [.. _sent];

    /// <inheritdoc />
    public Task<NotificationResult> NotifyAsync(Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(recipients);
        cancellationToken.ThrowIfCancellationRequested();
        _sent.Enqueue(new RecordedNotification(notification, [.. recipients]));
        return Task.FromResult(NotificationResult.Of(NotificationDelivery.Succeeded(Channel, null, 1)));
    }
}

/// <summary>A notification as a <see cref="RecordingNotifier"/> received it.</summary>
/// <param name="Notification">The message.</param>
/// <param name="Recipients">Who it was for.</param>
public sealed record RecordedNotification(Notification Notification, IReadOnlyList<Recipient> Recipients);
