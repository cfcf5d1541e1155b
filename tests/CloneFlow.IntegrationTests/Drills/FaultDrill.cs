using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloneFlow.Core.Runs;
using CloneFlow.IntegrationTests.Workflow;
using Microsoft.DurableTask.Client;

namespace CloneFlow.IntegrationTests.Drills;

/// <summary>How one drill ended.</summary>
internal sealed record DrillReport(FaultSchedule Schedule, string Outcome, TimeSpan Elapsed, int FailureGates, IReadOnlyList<string> Problems, IReadOnlyList<string> Log)
{
    public bool Passed => Problems.Count == 0;

    public string Summary => string.Create(CultureInfo.InvariantCulture, $"seed {Schedule.Seed}: {Outcome}, {FailureGates} failure gate(s), {Elapsed.TotalSeconds:0.0}s");

    /// <summary>Everything needed to understand and replay a failing drill.</summary>
    public string Describe()
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Fault drill {Summary}")
            .AppendLine(Schedule.Seed >= 0
                ? $"Replay: CLONEFLOW_SOAK_FIRST_SEED={Schedule.Seed} CLONEFLOW_SOAK_DRILLS=1 dotnet test tests/CloneFlow.IntegrationTests --filter \"FullyQualifiedName~FaultDrillSoak\""
                : "Replay: a hand-written schedule; rerun its test.")
            .AppendLine(CultureInfo.InvariantCulture, $"Schedule {Schedule}")
            .AppendLine("Invariant violations:");
        foreach (var problem in Problems)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  * {problem}");
        }

        text.AppendLine("Timeline:");
        foreach (var line in Log)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {line}");
        }

        return text.ToString();
    }
}

/// <summary>
/// One fault drill: a fresh estate, one clone run end to end under a seeded <see cref="FaultSchedule"/>,
/// approvals given, and the invariants checked on the real state. A failure gate (the run waiting for a
/// person after the clone) is a legitimate place to stop: the invariants are checked there, then the
/// storm is over and the person answers "retry"; the run must then complete and verify.
/// </summary>
internal static class FaultDrill
{
    private const int MaxFailureGates = 3;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public static Task<DrillReport> RunAsync(int seed) => RunAsync(FaultSchedule.Generate(seed));

    public static async Task<DrillReport> RunAsync(FaultSchedule schedule)
    {
        var watch = Stopwatch.StartNew();
        var problems = new List<string>();
        await using var harness = await WorkflowHarness.StartAsync();
        var baseline = DrillInvariants.Baseline(harness.Simulator);
        var runId = await harness.StartRunAsync();
        var outcome = "unfinished";
        var failureGates = 0;
        var injector = new FaultInjector(harness, schedule, runId);
        try
        {
            var answered = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var instance = await harness.Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
                if (instance is { IsCompleted: true })
                {
                    outcome = Outcome(instance);
                    break;
                }

                if (watch.Elapsed > Limit)
                {
                    problems.Add($"the run did not finish within {Limit} ({instance?.RuntimeStatus}): {instance?.SerializedCustomStatus}");
                    break;
                }

                foreach (var gate in (await harness.StatusAsync(runId))?.PendingApprovals ?? [])
                {
                    // Answered once its link is there, on the page, as the approver would.
                    if (answered.Contains(gate.EventName) || harness.Pages.LinkFor(harness, runId, gate) is not { } link)
                    {
                        continue;
                    }

                    answered.Add(gate.EventName);

                    injector.Note($"gate {gate.EventName}: {gate.Question}");
                    if (gate.Gate == "failure")
                    {
                        // Waiting for a person: the storm ends, the invariants must hold here, then the person retries.
                        failureGates++;
                        await injector.StopAsync();
                        problems.AddRange((await CheckAsync(harness, runId, baseline)).Select(p => $"at {gate.EventName}: {p}"));
                        if (failureGates > MaxFailureGates)
                        {
                            problems.Add($"still failing after {MaxFailureGates} retries with no faults left: {gate.Question}");
                            outcome = $"waiting at {gate.EventName}";
                            break;
                        }

                        await AnswerAsync(harness, gate, link, WorkflowHarness.Approve(gate, ("action", "retry")));
                    }
                    else
                    {
                        await AnswerAsync(harness, gate, link, WorkflowHarness.Approve(gate));
                    }
                }

                if (failureGates > MaxFailureGates)
                {
                    break;
                }

                await Task.Delay(200);
            }
        }
        finally
        {
            await injector.DisposeAsync();
        }

        var result = (await harness.Client.GetInstanceAsync(runId, getInputsAndOutputs: true))?.ReadOutputAs<CloneRunResult>();
        if (result is not null && !(result.Outcome == RunOutcome.Completed && result.Verified))
        {
            problems.Add($"the run ended {result.Outcome} (verified: {result.Verified}), neither completed and verified nor waiting for a person: {result.Reason}");
        }

        problems.AddRange(await CheckAsync(harness, runId, baseline));
        return new DrillReport(schedule, outcome, watch.Elapsed, failureGates, problems.Distinct().ToList(), injector.Log);
    }

    /// <summary>The invariants on the real state: at most one clone, never without verified exports; nothing inserted twice.</summary>
    private static async Task<List<string>> CheckAsync(WorkflowHarness harness, string runId, Dictionary<string, int> baseline)
    {
        var problems = new List<string>();
        var clones = DrillInvariants.CloneRequests(harness.Simulator);
        if (clones > 1)
        {
            problems.Add($"{clones} clone requests for the target");
        }

        var exports = await DrillInvariants.ExportProblemsAsync(harness, runId);
        if (clones > 0)
        {
            problems.AddRange(exports.Select(p => $"clone requested, but {p}"));
        }

        problems.AddRange(DrillInvariants.Duplicates(harness.Simulator, baseline).Select(d => $"inserted twice on the target: {d}"));
        return problems;
    }

    /// <summary>Decides on the page; a decision storage could not keep (503, Azurite restarting) is decided again, as the page asks.</summary>
    private static async Task AnswerAsync(WorkflowHarness harness, Core.Runs.WaitingGate gate, Uri link, GateAnswer answer)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                harness.ExpectRefusals = attempt < 10;
                var result = await harness.AnswerOnPageAsync(gate, link, answer);
                if (result.Status != System.Net.HttpStatusCode.ServiceUnavailable)
                {
                    Assert.True(result.Accepted, $"{gate.Gate}: {result.Status} {result.Title}: {result.Message}");
                    return;
                }
            }
            catch (HttpRequestException) when (attempt < 10)
            {
                // The page did not answer: try again, as a person would.
            }
            finally
            {
                harness.ExpectRefusals = false;
            }

            await Task.Delay(1000);
        }
    }

    private static string Outcome(OrchestrationMetadata instance) =>
        instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed
            ? $"{instance.RuntimeStatus}: {instance.FailureDetails?.ErrorType}: {instance.FailureDetails?.ErrorMessage}"
            : instance.ReadOutputAs<CloneRunResult>() is { } result
                ? $"{result.Outcome}{(result.Verified ? " and verified" : " (not verified)")}"
                : "completed without a result";
}
