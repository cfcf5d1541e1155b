using System.Diagnostics;
using System.Globalization;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Runs;

namespace CloneFlow.Cli.Demo;

/// <summary>What the demo should do.</summary>
/// <param name="OutputFolder">Where the report files go.</param>
/// <param name="ReportJson">An extra copy of report.json, when asked for.</param>
/// <param name="ClockAcceleration">Simulated seconds per real second.</param>
/// <param name="HoldApprovals">Print each approval link and wait for a decision on the page instead of approving.</param>
/// <param name="ApprovalPort">The loopback port of the approval page (0: any free port).</param>
internal sealed record DemoOptions(DirectoryInfo OutputFolder, FileInfo? ReportJson, double ClockAcceleration, bool HoldApprovals = false, int ApprovalPort = 0);

/// <summary>Runs a full clone prod -> test on the simulator and prints its progress and a verification summary.</summary>
internal static class DemoRunner
{
    public static async Task<int> RunAsync(CliConsole console, DemoOptions options, CancellationToken cancellationToken)
    {
        var output = console.Out;
        var clock = Stopwatch.StartNew();
        await output.WriteLineAsync($"CloneFlow demo: clone prod over test on the built-in ServiceNow simulator (clock x{options.ClockAcceleration:0}), artifacts on Azurite.");
        await using var approvals = await ApprovalHost.StartAsync(options.ApprovalPort, cancellationToken);
        await using var environment = await DemoEnvironment.StartAsync(options.ClockAcceleration, approvals.BaseUrl, console.Error, cancellationToken);
        approvals.Bind(environment.Pages);
        await output.WriteLineAsync($"approval pages: {approvals.BaseUrl}api/approvals/<token>{(options.HoldApprovals ? " (decide on each APPROVAL link below)" : string.Empty)}");
        var test = environment.Simulator["test"];
        await output.WriteLineAsync($"test holds {test.GetRecords("sys_update_set", "state=in progress^name!=Default").Count} update sets in progress, {test.GetRecords("sys_remote_update_set", "state!=committed").Count} uncommitted remote sets and plugins production lacks.");

        var started = await environment.Runs.StartAsync("test", DemoEnvironment.Requester, dryRun: false, cancellationToken);
        var runId = started.RunId;
        await output.WriteLineAsync($"run {runId}");
        var lastLine = string.Empty;
        var answered = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var run = await environment.Runs.GetAsync(runId, cancellationToken);
            if (run is { Instance.IsCompleted: true })
            {
                break;
            }

            if (run?.Status is { } status)
            {
                var line = $"{status.Phase,-15} {status.Message}{(status.Total > 0 ? $" [{status.Done}/{status.Total}]" : string.Empty)}";
                if (line != lastLine)
                {
                    await output.WriteLineAsync($"{clock.Elapsed.TotalSeconds,7:F1}s  {line}");
                    lastLine = line;
                }

                foreach (var gate in status.PendingApprovals.Where(g => !answered.Contains(g.EventName)))
                {
                    if (options.HoldApprovals)
                    {
                        if (LinkFor(environment, gate) is { } held)
                        {
                            answered.Add(gate.EventName);
                            await output.WriteLineAsync($"APPROVAL {gate.Gate} {held}");
                        }

                        continue;
                    }

                    if (await ApproveAsync(environment, gate, cancellationToken) is { } result)
                    {
                        answered.Add(gate.EventName);
                        await output.WriteLineAsync(result.Accepted
                            ? $"{clock.Elapsed.TotalSeconds,7:F1}s  APPROVED {gate.Gate} (round {gate.Round}) as {DemoEnvironment.Approver} through its signed link"
                            : $"{clock.Elapsed.TotalSeconds,7:F1}s  approval of {gate.Gate} refused: {result.Reason}");
                    }
                }
            }

            await Task.Delay(250, cancellationToken);
        }

        var finished = await environment.Runs.GetAsync(runId, cancellationToken);
        var outcome = finished!.Value.Instance.ReadOutputAs<CloneRunResult>();
        if (outcome is null)
        {
            await console.Error.WriteLineAsync($"cloneflow: run {runId} ended {finished.Value.Instance.RuntimeStatus}: {finished.Value.Instance.FailureDetails?.ErrorMessage}");
            return 1;
        }

        var report = await environment.Artifacts.ReadJsonAsync<RunReport>(runId, WriteReportActivity.JsonBlob, cancellationToken);
        var folder = Directory.CreateDirectory(Path.Combine(options.OutputFolder.FullName, runId));
        var html = Path.Combine(folder.FullName, "report.html");
        var json = Path.Combine(folder.FullName, "report.json");
        await CopyAsync(environment, runId, WriteReportActivity.HtmlBlob, html, cancellationToken);
        await CopyAsync(environment, runId, WriteReportActivity.JsonBlob, json, cancellationToken);
        if (options.ReportJson is { } extra)
        {
            File.Copy(json, extra.FullName, overwrite: true);
        }

        await WriteSummaryAsync(output, outcome, report, clock.Elapsed);
        await output.WriteLineAsync($"HTML report: {html}");
        await output.WriteLineAsync($"JSON report: {options.ReportJson?.FullName ?? json}");
        return outcome.Outcome == RunOutcome.Completed && outcome.Verified ? ExitCodes.Success : ExitCodes.InvalidInput;
    }

    /// <summary>Decides as the configured approver with the link CloneFlow sent them, exactly as the approval page would.</summary>
    private static async Task<ApprovalDecisionResult?> ApproveAsync(DemoEnvironment environment, WaitingGate gate, CancellationToken cancellationToken)
    {
        var link = LinkFor(environment, gate);
        if (link is null)
        {
            return null;
        }

        var token = Uri.UnescapeDataString(link.AbsolutePath[(link.AbsolutePath.LastIndexOf('/') + 1)..]);
        var choices = gate.Gate == "problems" ? new Dictionary<string, string> { ["default"] = "accept" } : new Dictionary<string, string>();
        return await environment.Runs.DecideAsync(environment.Recorder, token, ApprovalVerdict.Approve, "approved by cloneflow demo", choices, signedInPrincipal: null, cancellationToken);
    }

    /// <summary>The newest link CloneFlow sent the configured approver for this gate round.</summary>
    private static Uri? LinkFor(DemoEnvironment environment, WaitingGate gate) =>
        environment.Notifier.Sent
            .Where(n => n.Notification.Gate == gate.Gate && n.Notification.Round == gate.Round)
            .SelectMany(n => n.Recipients)
            .LastOrDefault(r => r.Address == DemoEnvironment.Approver && r.ApprovalLink is not null)?.ApprovalLink;

    private static async Task CopyAsync(DemoEnvironment environment, string runId, string name, string path, CancellationToken cancellationToken)
    {
        await using var source = await environment.Artifacts.OpenReadAsync(runId, name, cancellationToken);
        await using var target = File.Create(path);
        await source.CopyToAsync(target, cancellationToken);
    }

    private static async Task WriteSummaryAsync(TextWriter output, CloneRunResult outcome, RunReport? report, TimeSpan elapsed)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Outcome: {outcome.Outcome}{(outcome.Outcome == RunOutcome.Completed ? outcome.Verified ? ", verified" : ", with differences" : string.Empty)} after {elapsed.TotalSeconds:F0} s");
        await output.WriteLineAsync(outcome.Reason);
        if (report is null)
        {
            return;
        }

        await output.WriteLineAsync();
        var width = Math.Max(10, report.UpdateSets.Select(s => s.Name.Length).DefaultIfEmpty(10).Max());
        await output.WriteLineAsync($"{"Update set".PadRight(width)}  {"kind",-6}  {"before",-12}  {"after",-12}  {"updates",9}  result");
        foreach (var set in report.UpdateSets)
        {
            var exact = set.Missing.Count == 0 && set.Changed.Count == 0 && set.StateAfter == set.StateBefore;
            var result = exact ? "identical" : $"{set.Missing.Count} missing, {set.Changed.Count} changed";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{set.Name.PadRight(width)}  {set.Kind,-6}  {set.StateBefore,-12}  {(set.StateAfter.Length == 0 ? "-" : set.StateAfter),-12}  {$"{set.UpdatesAfter}/{set.UpdatesBefore}",9}  {result}"));
        }

        await output.WriteLineAsync();
        foreach (var plugin in report.Plugins.MissingAfterClone)
        {
            await output.WriteLineAsync($"Plugin {plugin}: removed by the clone, {(report.Plugins.Activated.Contains(plugin) ? "activated again" : "NOT activated")}");
        }

        await output.WriteLineAsync($"Post-clone checks: {report.Checks.Count(c => c.Passed)}/{report.Checks.Count} passed");
        foreach (var check in report.Checks.Where(c => !c.Passed))
        {
            await output.WriteLineAsync($"  failed: {check.Name}: {check.Detail}");
        }
    }
}
