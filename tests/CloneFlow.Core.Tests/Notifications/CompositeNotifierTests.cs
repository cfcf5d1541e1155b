using CloneFlow.Core.Notifications;
using CloneFlow.Core.Tests.Support;
using Moq;
using static CloneFlow.Core.Tests.Notifications.NotificationTestData;

namespace CloneFlow.Core.Tests.Notifications;

public class CompositeNotifierTests
{
    private readonly ListLogger<CompositeNotifier> _log = new();

    [Fact]
    public async Task Every_channel_is_tried_and_one_failing_or_throwing_channel_does_not_stop_the_others()
    {
        var failing = new Mock<INotifier>();
        failing.Setup(n => n.NotifyAsync(It.IsAny<Notification>(), It.IsAny<IReadOnlyList<Recipient>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(NotificationResult.Of(NotificationDelivery.Failed("teams", null, 3, "HTTP 502 after 3 attempts")));
        var throwing = new Mock<INotifier>();
        throwing.Setup(n => n.NotifyAsync(It.IsAny<Notification>(), It.IsAny<IReadOnlyList<Recipient>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("https://secret.example/hook?sig=abc"));
        var recording = new RecordingNotifier();
        var composite = new CompositeNotifier([failing.Object, throwing.Object, recording], _log);

        var result = await composite.NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(3, result.Deliveries.Count);
        Assert.Equal(2, result.Failures.Count);
        Assert.Contains(result.Failures, f => f.FailureReason == "HTTP 502 after 3 attempts");
        Assert.Contains(result.Failures, f => f.FailureReason!.Contains("InvalidOperationException", StringComparison.Ordinal));
        var sent = Assert.Single(recording.Sent);
        Assert.Equal([Alice], sent.Recipients);
        Assert.DoesNotContain("sig=abc", string.Join(' ', result.Failures.Select(f => f.FailureReason)) + _log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_every_channel_delivers_the_result_is_delivered()
    {
        var composite = new CompositeNotifier([new RecordingNotifier(), new RecordingNotifier()], _log);

        var result = await composite.NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(2, result.Deliveries.Count);
    }

    [Fact]
    public async Task No_channels_is_not_delivered()
    {
        var result = await new CompositeNotifier([], _log).NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
    }

    [Fact]
    public async Task Cancellation_of_the_call_is_thrown_not_turned_into_a_failed_delivery()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new CompositeNotifier([new RecordingNotifier()], _log).NotifyAsync(ApprovalRequest(), [Alice], cancelled.Token));
    }
}
