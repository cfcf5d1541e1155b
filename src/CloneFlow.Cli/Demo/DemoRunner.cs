using System.Diagnostics;
using System.Globalization;
using CloneFlow.Core.Activities;
using CloneFlow.Cli.Commands;
using CloneFlow.Core.Http;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;

namespace CloneFlow.Cli.Demo;

/// <summary>What the demo should do.</summary>
/// <param name="OutputFolder">Where the report files go.</param>
/// <param name="ReportJson">An extra copy of report.json, when asked for.</param>
/// <param name="ClockAcceleration">Simulated seconds per real second.</param>
/// <param name="HoldApprovals">Print each approval link and wait for a decision on the page instead of approving.</param>
/// <param name="ApprovalPort">The loopback port of the approval page (0: any free port).</param>
/// <param name="CloneDriver"><c>table</c> or <c>manual</c>.</param>
internal sealed record DemoOptions(DirectoryInfo OutputFolder, FileInfo? ReportJson, double ClockAcceleration, bool HoldApprovals = false, int ApprovalPort = 0, string CloneDriver = "table");

/// <summary>Runs a full clone prod -> test on the simulator and prints its progress and a verification summary.</summary>
internal static class DemoRunner
{
    public static async Task<int> RunAsync(CliConsole console, DemoOptions options, CancellationToken cancellationToken)
    {
        var output = console.Out;
        var clock = Stopwatch.StartNew();
        await output.WriteLineAsync($"CloneFlow demo: clone prod over test on the built-in ServiceNow simulator (clock x{options.ClockAcceleration:0}), on the local host (durable state and artifacts on Azurite).");
        await using var environment = await DemoEnvironment.StartAsync(options.ClockAcceleration, options.ApprovalPort, options.CloneDriver, console.Error, cancellationToken);
        var host = environment.Host;
        await output.WriteLineAsync($"API {host.BaseUrl}api/clones, approval pages {host.BaseUrl}api/approvals/<token>{(options.HoldApprovals ? " (decide on each APPROVAL link below)" : string.Empty)}");
        var test = environment.Simulator["test"];
        await output.WriteLineAsync($"test holds {test.GetRecords("sys_update_set", "state=in progress^name!=Default").Count} update sets in progress, {test.GetRecords("sys_remote_update_set", "state!=committed").Count} uncommitted remote sets and plugins production lacks.");

        using var api = new HostApiClient(host.BaseUrl);
        var runId = await api.StartAsync("test", dryRun: false, cancellationToken);
        await output.WriteLineAsync($"run {runId}");
        var progress = new RunProgressPrinter(output, RunProgressPrinter.IsTerminal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        RunView run;
        while (!(run = await api.GetAsync(runId, cancellationToken)).IsCompleted)
        {
            progress.Show(run.Status, clock.Elapsed);
            foreach (var gate in run.Status?.PendingApprovals ?? [])
            {
                if (answered.Contains(gate.EventName) || LinkFor(environment, gate) is not { } link)
                {
                    continue;
                }

                answered.Add(gate.EventName);
                progress.Break();
                var cloneConsole = ConsoleRequest(environment, gate);
                if (cloneConsole is not null)
                {
                    await output.WriteLineAsync($"PERSON  {gate.Question}");
                    await output.WriteLineAsync($"        On the simulator the Clone Admin Console is: curl -X POST -H 'Content-Type: application/json' -d '{{\"target\":\"test\"}}' {cloneConsole}");
                }

                if (options.HoldApprovals)
                {
                    await output.WriteLineAsync($"APPROVAL {gate.Gate} {link}");
                    continue;
                }

                var inputs = new Dictionary<string, string>();
                if (cloneConsole is not null)
                {
                    // What the person does: request the clone in the console, then enter its number on the page.
                    var number = environment.Simulator["prod"].RequestCloneInConsole("test", user: DemoEnvironment.Approver);
                    await output.WriteLineAsync($"{clock.Elapsed.TotalSeconds,7:F1}s  requested clone {number} in prod's Clone Admin Console as {DemoEnvironment.Approver}");
                    inputs[Core.Approvals.GateForms.Number] = number;
                }

                // As the approver would: open the link, submit the page's form (problems keep the page's default, accept).
                using var page = new ApprovalPageClient();
                var decided = await page.DecideAsync(link, approve: true, "approved by cloneflow demo", inputs, cancellationToken);
                await output.WriteLineAsync(decided.Accepted
                    ? $"{clock.Elapsed.TotalSeconds,7:F1}s  APPROVED {gate.Gate} (round {gate.Round}) as {DemoEnvironment.Approver} on the approval page"
                    : $"{clock.Elapsed.TotalSeconds,7:F1}s  approval of {gate.Gate} refused: {decided.Title}: {decided.Message}");
            }

            await Task.Delay(250, cancellationToken);
        }

        progress.Break();
        if (run.Result is not { } outcome)
        {
            await console.Error.WriteLineAsync($"cloneflow: run {runId} ended {run.RuntimeStatus} without a result");
            return ExitCodes.RunNotVerified;
        }

        var report = await host.Artifacts.ReadJsonAsync<RunReport>(runId, WriteReportActivity.JsonBlob, cancellationToken);
        var folder = Directory.CreateDirectory(Path.Combine(options.OutputFolder.FullName, runId));
        var html = Path.Combine(folder.FullName, "report.html");
        var json = Path.Combine(folder.FullName, "report.json");
        await CopyAsync(host.Artifacts, runId, WriteReportActivity.HtmlBlob, html, cancellationToken);
        await CopyAsync(host.Artifacts, runId, WriteReportActivity.JsonBlob, json, cancellationToken);
        if (options.ReportJson is { } extra)
        {
            File.Copy(json, extra.FullName, overwrite: true);
        }

        await WriteSummaryAsync(output, outcome, report, clock.Elapsed);
        await output.WriteLineAsync($"HTML report: {html}");
        await output.WriteLineAsync($"JSON report: {options.ReportJson?.FullName ?? json}");
        return RunCommand.ExitCodeOf(run);
    }

    /// <summary>The newest link CloneFlow sent the configured approver for this gate round.</summary>
    /// <summary>For the manual driver's gate: the simulator's Clone Admin Console endpoint, where the person requests the clone.</summary>
    private static Uri? ConsoleRequest(DemoEnvironment environment, WaitingGate gate) =>
        gate.Gate == Core.Approvals.GateForms.CloneNumberGate ? new Uri(environment.Simulator.Instances["prod"], "_simulator/console/clones") : null;

    private static Uri? LinkFor(DemoEnvironment environment, WaitingGate gate) =>
        environment.Notifier.Sent
            .Where(n => n.Notification.Gate == gate.Gate && n.Notification.Round == gate.Round)
            .SelectMany(n => n.Recipients)
            .LastOrDefault(r => r.Address == DemoEnvironment.Approver && r.ApprovalLink is not null)?.ApprovalLink;

    private static async Task CopyAsync(RunArtifactStore artifacts, string runId, string name, string path, CancellationToken cancellationToken)
    {
        await using var source = await artifacts.OpenReadAsync(runId, name, cancellationToken);
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
            var result = set.Identical ? "identical"
                : set.Missing.Count + set.Changed.Count > 0 ? $"{set.Missing.Count} missing, {set.Changed.Count} changed"
                : set.ParentAfter != set.ParentBefore ? $"parent {(set.ParentAfter.Length == 0 ? "none" : set.ParentAfter)}, was {(set.ParentBefore.Length == 0 ? "none" : set.ParentBefore)}"
                : !set.ApplicationFound ? "its application is gone" : "state differs";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{set.Name.PadRight(width)}  {set.Kind,-6}  {set.StateBefore,-12}  {(set.StateAfter.Length == 0 ? "-" : set.StateAfter),-12}  {$"{set.UpdatesAfter}/{set.UpdatesBefore}",9}  {result}"));
        }

        if (report.Applications.Count > 0)
        {
            await output.WriteLineAsync();
            var appWidth = Math.Max(11, report.Applications.Select(a => a.Name.Length).Max());
            await output.WriteLineAsync($"{"Application".PadRight(appWidth)}  {"version",-15}  {"files",9}  {"tables",6}  {"rows",9}  result");
            foreach (var app in report.Applications)
            {
                var rows = app.Tables.Sum(t => t.RowsExported);
                var version = app.VersionAfter == app.VersionBefore ? app.VersionAfter : $"{(app.VersionAfter.Length == 0 ? "-" : app.VersionAfter)} (was {app.VersionBefore})";
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{app.Name.PadRight(appWidth)}  {version,-15}  {$"{app.FilesBefore - app.MissingFileCount}/{app.FilesBefore}",9}  {$"{app.Tables.Count(t => t.Exists)}/{app.Tables.Count}",6}  {$"{rows - app.Tables.Sum(t => t.RowsMissing)}/{rows}",9}  {(app.Identical ? "back whole" : "NOT back whole")}"));
            }
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
