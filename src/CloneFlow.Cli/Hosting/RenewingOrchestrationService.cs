using System.Collections.Concurrent;
using DurableTask.Core;

namespace CloneFlow.Cli.Hosting;

/// <summary>
/// Keeps an activity's queue message invisible while the activity runs. The sidecar's dispatcher
/// never renews activity locks, so without this an export running longer than the visibility
/// timeout would be handed out a second time while the first copy still runs; with it, the timeout
/// can be short, and an activity lost with a killed process is retried within that timeout.
/// </summary>
internal sealed class RenewingOrchestrationService(IOrchestrationService inner, TimeSpan renewEvery) : IOrchestrationService
{
    private readonly ConcurrentDictionary<TaskActivityWorkItem, CancellationTokenSource> _running = new();

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (workItem is not null)
        {
            var stop = new CancellationTokenSource();
            _running[workItem] = stop;
            _ = RenewUntilDoneAsync(workItem, stop.Token);
        }

        return workItem!;
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        await StopRenewingAsync(workItem);
        await inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        await StopRenewingAsync(workItem);
        await inner.AbandonTaskActivityWorkItemAsync(workItem);
    }

    public Task StartAsync() => inner.StartAsync();

    public async Task StopAsync() => await StopAsync(isForced: false);

    public async Task StopAsync(bool isForced)
    {
        foreach (var workItem in _running.Keys)
        {
            await StopRenewingAsync(workItem);
        }

        await inner.StopAsync(isForced);
    }

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) => inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState, IList<TaskMessage> outboundMessages, IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState) =>
        inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    private async Task RenewUntilDoneAsync(TaskActivityWorkItem workItem, CancellationToken done)
    {
        using var timer = new PeriodicTimer(renewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
            {
                try
                {
                    await inner.RenewTaskActivityWorkItemLockAsync(workItem);
                }
#pragma warning disable CA1031 // A failed renewal (storage briefly away, or the item completed meanwhile) is retried at the next tick or ends with the item.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Completed or abandoned.
        }
    }

    private async Task StopRenewingAsync(TaskActivityWorkItem workItem)
    {
        if (_running.TryRemove(workItem, out var stop))
        {
            await stop.CancelAsync();
            stop.Dispose();
        }
    }
}
