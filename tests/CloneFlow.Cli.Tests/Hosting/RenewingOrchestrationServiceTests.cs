using CloneFlow.Cli.Hosting;
using DurableTask.Core;
using Moq;

namespace CloneFlow.Cli.Tests.Hosting;

public class RenewingOrchestrationServiceTests
{
    [Fact]
    public async Task An_activity_lock_is_renewed_while_it_runs_and_never_after_it_completes()
    {
        var inner = new Mock<IOrchestrationService>();
        var workItem = new TaskActivityWorkItem { Id = "a1" };
        var renewals = 0;
        inner.Setup(s => s.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(workItem);
        inner.Setup(s => s.RenewTaskActivityWorkItemLockAsync(workItem)).Callback(() => Interlocked.Increment(ref renewals)).ReturnsAsync(workItem);
        var service = new RenewingOrchestrationService(inner.Object, TimeSpan.FromMilliseconds(20));

        await service.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref renewals) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(Volatile.Read(ref renewals) >= 3, "the lock was not renewed while the activity ran");
        await service.CompleteTaskActivityWorkItemAsync(workItem, new TaskMessage());
        var atCompletion = Volatile.Read(ref renewals);
        await Task.Delay(150);

        // One renewal may have been in flight as the item completed; none starts afterwards.
        Assert.InRange(Volatile.Read(ref renewals), atCompletion, atCompletion + 1);
        inner.Verify(s => s.CompleteTaskActivityWorkItemAsync(workItem, It.IsAny<TaskMessage>()), Times.Once);
    }

    [Fact]
    public async Task A_failing_renewal_does_not_stop_the_next_ones()
    {
        var inner = new Mock<IOrchestrationService>();
        var workItem = new TaskActivityWorkItem { Id = "a2" };
        var calls = 0;
        inner.Setup(s => s.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(workItem);
        inner.Setup(s => s.RenewTaskActivityWorkItemLockAsync(workItem)).Returns(() => Interlocked.Increment(ref calls) == 1
            ? Task.FromException<TaskActivityWorkItem>(new InvalidOperationException("storage away"))
            : Task.FromResult(workItem));
        var service = new RenewingOrchestrationService(inner.Object, TimeSpan.FromMilliseconds(20));

        await service.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref calls) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await service.AbandonTaskActivityWorkItemAsync(workItem);
        Assert.True(Volatile.Read(ref calls) >= 3);
    }
}
