using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Functions;

/// <summary>
/// Every 15 minutes: starts the refreshes whose schedule fell due since the last tick. The run id is
/// <c>refresh-{target}-{yyyyMM}</c>, so a timer that fires twice, or a month already refreshed, starts
/// nothing; a target with an active run is skipped with a notice in the log.
/// </summary>
public sealed class RefreshTimerFunction(CloneFlowConfiguration configuration, ILogger<RefreshTimerFunction> logger)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(15);

    [Function("MonthlyRefresh")]
    public async Task Run([TimerTrigger("0 */15 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var now = DateTimeOffset.UtcNow;
        var last = timer.ScheduleStatus?.Last is { } previous && previous > DateTime.MinValue ? new DateTimeOffset(previous.ToUniversalTime(), TimeSpan.Zero) : now - Tick;
        var runs = new CloneRuns(client, configuration);
        foreach (var refresh in RefreshSchedule.Due(configuration, last, now))
        {
            if (await client.GetInstanceAsync(refresh.RunId, cancellationToken) is not null)
            {
                logger.LogInformation("Refresh {RunId} already exists; not starting it again.", refresh.RunId);
                continue;
            }

            var outcome = await runs.StartAsync(refresh.Target, "schedule", dryRun: false, cancellationToken, refresh.RunId);
            if (!outcome.Started)
            {
                logger.LogWarning("Refresh of {Target} due at {DueAt} skipped: run {RunId} is still active for it.", refresh.Target, refresh.DueAt, outcome.RunId);
            }
        }
    }
}
