using CloneFlow.Cli.Commands;
using CloneFlow.Core.Runs;
using CloneFlow.Simulator;

namespace CloneFlow.Cli.Tests.Hosting;

/// <summary>
/// The local host killed with SIGKILL at the worst moments, alone (its process group: the host's
/// Azurite lives in a session of its own and carries on) or together with its storage (Azurite killed
/// too, losing whatever it had not yet saved, as in a machine crash); a new host on the same
/// configuration must carry the run to a verified end with one clone request, nothing lost, nothing
/// done twice and no recorded approval asked for again, judged against the simulator's own records.
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

    /// <summary>Runs a clone, kills the host (and its storage) once <paramref name="killWhen"/> holds, starts another and expects the same end as without the crash.</summary>
    private protected static async Task CrashAndResumeAsync(
        bool withStorage,
        int latencyMs,
        TimeSpan cloneDuration,
        Func<RunView, bool> killWhen,
        bool approveBeforeKill = true,
        string? killAfterApproving = null,
        Action<RunView, RunView>? alsoCheck = null)
    {
        await using var rig = await LocalHostRig.StartAsync(latencyMs, cloneDuration);
        var prod = rig.Simulator["prod"];
        var test = rig.Simulator["test"];
        var before = InFlight(test);
        Assert.NotEmpty(before);

        await rig.StartHostAsync();
        var storageAtStart = rig.AzuritePid;
        Assert.NotNull(storageAtStart);
        var runId = await rig.StartRunAsync();
        var atKill = await rig.DriveAsync(runId, killWhen, TimeSpan.FromSeconds(120), approveBeforeKill, killAfterApproving);
        Assert.False(atKill.IsCompleted, $"the run ended before the moment to kill: {atKill.Result?.Reason}");
        await rig.KillHostAsync(withStorage);
        var clonesBeforeRestart = prod.GetRecords("sn_instance_clone_request").Count;

        await rig.StartHostAsync();
        // The host's own Azurite outlives a crash of the host alone and is found again, not started twice.
        Assert.True(withStorage ? rig.AzuritePid != storageAtStart : rig.AzuritePid == storageAtStart, $"Azurite pid {storageAtStart} before, {rig.AzuritePid} after");
        var end = await rig.DriveAsync(runId, _ => false, TimeSpan.FromSeconds(180));

        var why = $"{end.RuntimeStatus} {end.Result?.Reason}\n{string.Join('\n', rig.Output)}";
        Assert.True(end.Result is { Outcome: RunOutcome.Completed, Verified: true }, why);
        Assert.Equal(before, InFlight(test));
        // One clone, whatever the moment of the crash: a resumed run never asks for a second one, and its report says so.
        Assert.Single(prod.GetRecords("sn_instance_clone_request"));
        Assert.True(clonesBeforeRestart <= 1, why);
        Assert.Equal(1, (await rig.ReportAsync(runId)).GetProperty("cloneRequests").GetInt32());
        Assert.Single(test.GetRecords("sys_update_set", $"name=CloneFlow restore {runId}"));
        // A decision the page recorded is never asked for again: no host sends a link for that gate after it.
        var lines = rig.Output.ToList();
        Assert.All(rig.Recorded, recorded => Assert.False(
            lines.Skip(recorded.OutputLine).Any(l => l.StartsWith($"APPROVAL {recorded.Gate} ", StringComparison.Ordinal)),
            $"the {recorded.Gate} gate was asked again after its decision was recorded\n{why}"));
        alsoCheck?.Invoke(atKill, end);
    }

    private protected static Task DuringExportAsync(bool withStorage) =>
        CrashAndResumeAsync(
            withStorage,
            latencyMs: 120,
            TimeSpan.FromMinutes(30),
            run => run.Status?.Phase == "export" && run.VerifiedExports > 0,
            // Some exports were verified in Blob storage before the kill: the kill cut the export in the middle.
            alsoCheck: (atKill, end) => Assert.True(end.VerifiedExports >= atKill.VerifiedExports, $"{atKill.VerifiedExports} exports verified at the kill, {end.VerifiedExports} at the end"));

    private protected static Task AtTheCloneGateAsync(bool withStorage) =>
        CrashAndResumeAsync(withStorage, latencyMs: 0, TimeSpan.FromMinutes(30), run => run.Status?.PendingApprovals.Any(g => g.Gate == "clone") == true, approveBeforeKill: false);

    private protected static Task RightAfterTheApprovalAsync(bool withStorage) =>
        CrashAndResumeAsync(withStorage, latencyMs: 0, TimeSpan.FromMinutes(30), _ => false, killAfterApproving: "clone");

    /// <summary>The first poll after the request: with the storage, the seconds that hold the request are the ones a crash loses.</summary>
    private protected static Task WhileMonitoringAsync(bool withStorage) =>
        CrashAndResumeAsync(withStorage, latencyMs: 0, TimeSpan.FromHours(2), run => run.Status is { CloneRequest: not null });

    private protected static Task DuringRestoreAsync(bool withStorage) =>
        CrashAndResumeAsync(withStorage, latencyMs: 60, TimeSpan.FromMinutes(30), run => run.Status?.Phase is "restore-remote" or "restore-local");
}

public sealed class CrashDuringExportTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_exports_are_being_written_resumes_and_exports_every_set_once() => DuringExportAsync(withStorage: false);
}

public sealed class CrashAtApprovalTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_the_run_waits_for_approval_keeps_the_link_sent_before_the_crash_valid() => AtTheCloneGateAsync(withStorage: false);
}

public sealed class CrashAfterApprovalTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_right_after_the_page_recorded_the_approval_goes_on_without_asking_again() => RightAfterTheApprovalAsync(withStorage: false);
}

public sealed class CrashWhilePollingCloneTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_polling_the_clone_resumes_polling_the_same_clone() => WhileMonitoringAsync(withStorage: false);
}

public sealed class CrashDuringRestoreTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_killed_while_sets_are_re_inserted_resumes_without_inserting_any_record_twice() => DuringRestoreAsync(withStorage: false);
}

public sealed class StorageCrashDuringExportTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_and_storage_killed_during_the_export_resume_with_every_set_exported_once() => DuringExportAsync(withStorage: true);
}

public sealed class StorageCrashAtApprovalTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_and_storage_killed_at_the_clone_gate_keep_the_link_valid() => AtTheCloneGateAsync(withStorage: true);
}

public sealed class StorageCrashAfterApprovalTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_and_storage_killed_right_after_a_recorded_approval_never_ask_for_it_again() => RightAfterTheApprovalAsync(withStorage: true);
}

public sealed class StorageCrashWhilePollingCloneTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_and_storage_killed_just_after_the_clone_request_never_export_again_and_restore() => WhileMonitoringAsync(withStorage: true);
}

public sealed class StorageCrashDuringRestoreTests : CrashRecoveryTests
{
    [Fact]
    public Task Host_and_storage_killed_during_the_restore_insert_nothing_twice() => DuringRestoreAsync(withStorage: true);
}
