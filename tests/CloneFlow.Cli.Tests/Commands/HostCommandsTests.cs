using CloneFlow.Cli.Tests.Hosting;

namespace CloneFlow.Cli.Tests.Commands;

/// <summary>The client commands against a real <c>cloneflow serve</c> process: run, busy, status, approve, replay, cancel.</summary>
public class HostCommandsTests
{
    [Fact]
    public async Task Run_status_approve_and_cancel_drive_a_run_on_a_serving_host()
    {
        await using var rig = await LocalHostRig.StartAsync(latencyMs: 0, TimeSpan.FromHours(4));
        await rig.StartHostAsync();

        var run = await CliRun.RunAsync(["run", "--config", rig.ConfigFile, "--target", "test"]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Output + run.Error);
        var runId = run.Output.Split(' ')[1];

        var busy = await CliRun.RunAsync(["run", "--config", rig.ConfigFile, "--target", "test"]);
        Assert.Equal(ExitCodes.TargetBusy, busy.ExitCode);
        Assert.Contains(runId, busy.Error, StringComparison.Ordinal);

        await rig.DriveAsync(runId, view => view.Status?.PendingApprovals.Any(g => g.Gate == "clone") == true, TimeSpan.FromSeconds(60), approve: false);
        var waiting = await CliRun.RunAsync(["status", runId, "--config", rig.ConfigFile]);
        for (var attempt = 0; attempt < 25 && !waiting.Output.Contains("link sent by", StringComparison.Ordinal); attempt++)
        {
            // The gate shows first; where its link went, once the prompt is out.
            await Task.Delay(200);
            waiting = await CliRun.RunAsync(["status", runId, "--config", rig.ConfigFile]);
        }

        Assert.Contains("waiting  approval of 'clone'", waiting.Output, StringComparison.Ordinal);
        Assert.Contains($"by {LocalHostRig.Approver}, since ", waiting.Output, StringComparison.Ordinal);
        Assert.Contains(" UTC, until ", waiting.Output, StringComparison.Ordinal);
        Assert.Contains("link sent by console", waiting.Output, StringComparison.Ordinal);
        var list = await CliRun.RunAsync(["status", "--config", rig.ConfigFile]);
        Assert.Contains(runId, list.Output, StringComparison.Ordinal);

        var link = rig.LinkFor("clone")!.AbsoluteUri;
        var approved = await CliRun.RunAsync(["approve", link, "--approve", "--comment", "plan checked"]);
        Assert.True(approved.ExitCode == ExitCodes.Success, approved.Output + approved.Error);
        var replayed = await CliRun.RunAsync(["approve", link, "--approve"]);
        Assert.Equal(ExitCodes.InvalidInput, replayed.ExitCode);
        var forged = await CliRun.RunAsync(["approve", link[..^3] + (link[^3] == 'A' ? "B" : "A") + link[^2..], "--approve"]);
        Assert.Equal(ExitCodes.InvalidInput, forged.ExitCode);

        await rig.DriveAsync(runId, view => view.Status is { Phase: "monitor", CloneRequest: not null }, TimeSpan.FromSeconds(60), approve: false);
        var cancel = await CliRun.RunAsync(["cancel", runId, "--config", rig.ConfigFile]);
        Assert.True(cancel.ExitCode == ExitCodes.Success, cancel.Output + cancel.Error);

        var watched = await CliRun.RunAsync(["status", runId, "--watch", "--config", rig.ConfigFile]);
        Assert.Equal(ExitCodes.RunNotVerified, watched.ExitCode);
        Assert.Contains("outcome  Canceled", watched.Output, StringComparison.Ordinal);
        var again = await CliRun.RunAsync(["cancel", runId, "--config", rig.ConfigFile]);
        Assert.Equal(ExitCodes.InvalidInput, again.ExitCode);
    }
}
