using CloneFlow.Core.Runs;

namespace CloneFlow.Benchmarks;

/// <summary>A phase of a run, in seconds.</summary>
internal sealed record PhaseTime(string Phase, double Seconds);

/// <summary>One full clone run end to end.</summary>
internal sealed record EndToEndRow(
    int Sets, long Updates, double TotalSeconds, double CloneWaitSeconds, double OverheadSeconds, bool Verified,
    IReadOnlyList<PhaseTime> Phases, long HistoryBytes, double ApiBoundSeconds, double VsLimit, double NaiveEstimateSeconds, double VsNaive);

/// <summary>
/// Orchestration history of one full run. <c>PollBytes</c> is the part that is results of clock-driven
/// polls (clone status, CI/CD job progress): their number follows how long the clone and the jobs take
/// in wall time (and when the engine's timers fire), not how much was exported; <c>DataBytes</c> is the rest.
/// </summary>
internal sealed record HistoryRow(string Series, int Sets, long Updates, long HistoryBytes, long PollBytes, long LargestPayload, double BytesPerSet, long ExportedBytes, double HistoryToExportRatio)
{
    public long DataBytes => HistoryBytes - PollBytes;
}

/// <summary>Full clone runs on the durable engine: end-to-end overhead and history size.</summary>
internal static class WorkflowBenchmarks
{
    /// <summary>Phases that are the simulated clone itself (waiting on ServiceNow's clock), not CloneFlow's work.</summary>
    private static readonly string[] CloneWaitPhases = ["monitor", "restart"];

    /// <summary>Activity results of polls repeated on a timer until something ServiceNow does is done.</summary>
    private static readonly string[] PollResultTypes = ["CloneStatusInfo", "CiCdState"];

    public static async Task<(CloneRunResult Result, RunReport Report, long Updates, int Sets, TimeSpan Elapsed, long ExportedBytes)> FullRunAsync(WorkflowStack stack, CancellationToken cancellationToken)
    {
        var (result, elapsed, report) = await stack.RunAsync(dryRun: false, TimeSpan.FromMinutes(30), cancellationToken);
        if (result.Outcome != RunOutcome.Completed || report is null)
        {
            throw new InvalidOperationException($"The run ended {result.Outcome}: {result.Reason}");
        }

        var plan = await stack.Artifacts.ReadJsonAsync<RunPlan>(result.RunId, "plan.json", cancellationToken)
            ?? throw new InvalidOperationException("The run has no plan.");
        var artifacts = await stack.Artifacts.ListAsync(result.RunId, cancellationToken);
        var exported = artifacts.Where(a => a.Name.Contains("/exports/", StringComparison.Ordinal)).Sum(a => a.Bytes);
        return (result, report, plan.Updates, plan.LocalSets.Count + plan.RemoteSets.Count, elapsed, exported);
    }

    public static async Task<EndToEndRow> EndToEndAsync(WorkflowStack stack, double exportLimit, double insertLimit, double naiveExportRate, double naiveInsertRate, CancellationToken cancellationToken)
    {
        var (result, report, updates, sets, elapsed, _) = await FullRunAsync(stack, cancellationToken);
        var phases = report.Timeline.Select(p => new PhaseTime(p.Phase, Math.Round((p.Ended - p.Started).TotalSeconds, 2))).ToList();
        var cloneWait = report.Timeline.Where(p => CloneWaitPhases.Contains(p.Phase)).Sum(p => (p.Ended - p.Started).TotalSeconds);
        var overhead = elapsed.TotalSeconds - cloneWait;

        // The API-bound floor: every update read once at the export limit and written once at the Batch API limit.
        var apiBound = (updates / exportLimit) + (updates / insertLimit);

        // The naive estimate: the same reads and inserts at the naive rates measured in this process.
        var naive = (updates / naiveExportRate) + (updates / naiveInsertRate);
        return new EndToEndRow(
            sets, updates, Math.Round(elapsed.TotalSeconds, 2), Math.Round(cloneWait, 2), Math.Round(overhead, 2), result.Verified, phases, stack.History.Bytes,
            Math.Round(apiBound, 2), Math.Round(apiBound / overhead, 3), Math.Round(naive, 1), Math.Round(naive / overhead, 1));
    }

    public static async Task<HistoryRow> HistoryAsync(WorkflowStack stack, string series, CancellationToken cancellationToken)
    {
        var (result, _, updates, sets, _, exported) = await FullRunAsync(stack, cancellationToken);
        if (!result.Verified)
        {
            throw new InvalidOperationException($"The {sets}-set run was not verified: {result.Reason}");
        }

        var bytes = stack.History.Bytes;
        var polls = PollResultTypes.Sum(type => stack.History.ByType.GetValueOrDefault(type));
        return new HistoryRow(series, sets, updates, bytes, polls, stack.History.Largest, Math.Round((double)bytes / sets, 1), exported, Math.Round((double)bytes / exported, 5));
    }
}
