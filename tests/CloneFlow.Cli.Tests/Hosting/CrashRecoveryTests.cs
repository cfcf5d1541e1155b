using CloneFlow.Cli.Commands;
using CloneFlow.Core.Runs;
using CloneFlow.Simulator;

namespace CloneFlow.Cli.Tests.Hosting;

/// <summary>
/// The local host killed with SIGKILL at the worst moments; a new process on the same storage must
/// carry the run to a verified end with nothing lost and nothing done twice, judged against the
/// simulator's own records, not the run's word.
/// </summary>
public abstract class CrashRecoveryTests
{
    /// <summary>What the target holds that the run must bring back: each in-flight set's name and update count, the remote sets, the extra table's rows.</summary>
    private static SortedDictionary<string, int> InFlight(SimulatedInstance test)
    {
        var found = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var set in test.GetRecords("sys_update_set", "state=in progress^name!=Default"))
        {
            var updates = test.GetRecords("sys_update_xml", $"update_set={set["sys_id"]}").Count;
            if (updates > 0)
            {
                // A name seen twice is a set restored twice: count it so the comparison fails.
                found[set["name"]] = found.GetValueOrDefault(set["name"]) + updates;
            }
        }

        foreach (var remote in test.GetRecords("sys_remote_update_set", "state!=committed"))
        {
            found["remote:" + remote["name"]] = found.GetValueOrDefault("remote:" + remote["name"]) + 1;
        }

        foreach (var agent in test.GetRecords("ecc_agent"))
        {
            found["ecc_agent:" + agent["name"]] = found.GetValueOrDefault("ecc_agent:" + agent["name"]) + 1;
        }

        return found;
    }

    /// <summary>Runs a clone, kills the host once <paramref name="killWhen"/> holds, starts another and expects the same end as without the crash.</summary>
    private protected static async Task CrashAndResumeAsync(int latencyMs, TimeSpan cloneDuration, Func<RunView, bool> killWhen, bool approveBeforeKill = true, Action<RunView, RunView>? alsoCheck = null)
    {
        await using var rig = await LocalHostRig.StartAsync(latencyMs, cloneDuration);
        var test = rig.Simulator["test"];
        var before = InFlight(test);
        Assert.NotEmpty(before);

        await rig.StartHostAsync();
        var runId = await rig.StartRunAsync();
        var atKill = await rig.DriveAsync(runId, killWhen, TimeSpan.FromSeconds(90), approveBeforeKill);
        Assert.False(atKill.IsCompleted, $"the run ended before the moment to kill: {atKill.Result?.Reason}");
        await rig.KillHostAsync();
        var clonesBeforeRestart = rig.Simulator["prod"].GetRecords("sn_instance_clone_request").Count;

        await rig.StartHostAsync();
        var end = await rig.DriveAsync(runId, _ => false, TimeSpan.FromSeconds(150));

        var why = $"{end.RuntimeStatus} {end.Result?.Reason}\n{string.Join('\n', rig.Output)}";
        Assert.True(end.Result is { Outcome: RunOutcome.Completed, Verified: true }, why);
        Assert.Equal(before, InFlight(test));
        // One clone, whatever the moment of the crash: a resumed run never asks for a second one.
        Assert.Single(rig.Simulator["prod"].GetRecords("sn_instance_clone_request"));
        Assert.True(clonesBeforeRestart <= 1, why);
        Assert.Single(test.GetRecords("sys_update_set", $"name=CloneFlow restore {runId}"));
        alsoCheck?.Invoke(atKill, end);
    }
}

public sealed class CrashDuringExportTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_exports_are_being_written_resumes_and_exports_every_set_once() =>
        CrashAndResumeAsync(
            latencyMs: 120,
            TimeSpan.FromMinutes(30),
            run => run.Status?.Phase == "export" && run.VerifiedExports > 0,
            // Some exports were verified in Blob storage before the kill and the rest after it: the kill cut the export in the middle.
            alsoCheck: (atKill, end) => Assert.True(end.VerifiedExports > atKill.VerifiedExports, $"{atKill.VerifiedExports} exports verified at the kill, {end.VerifiedExports} at the end"));
}

public sealed class CrashAtApprovalTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_the_run_waits_for_approval_keeps_the_link_sent_before_the_crash_valid() =>
        CrashAndResumeAsync(latencyMs: 0, TimeSpan.FromMinutes(30), run => run.Status?.PendingApprovals.Any(g => g.Gate == "clone") == true, approveBeforeKill: false);
}

public sealed class CrashWhilePollingCloneTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_polling_the_clone_resumes_polling_the_same_clone() =>
        CrashAndResumeAsync(latencyMs: 0, TimeSpan.FromHours(2), run => run.Status is { Phase: "monitor", CloneRequest: not null });
}

public sealed class CrashDuringRestoreTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_sets_are_re_inserted_resumes_without_inserting_any_record_twice() =>
        CrashAndResumeAsync(latencyMs: 60, TimeSpan.FromMinutes(30), run => run.Status?.Phase is "restore-remote" or "restore-local");
}
