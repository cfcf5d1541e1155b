using CloneFlow.Core.Runs;
using CloneFlow.Simulator.Faults;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>Clones that fail, pause, get canceled or cannot start.</summary>
public class CloneFailureTests
{
    [Fact]
    public async Task A_clone_in_error_asks_a_person_and_an_abort_keeps_the_exports()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        harness.Simulator["prod"].CloneFaults = new CloneFaults { ErrorAtPhase = "backup" };
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => gate.Gate == "failure"
            ? WorkflowHarness.Approve(gate, ("action", "abort"))
            : WorkflowHarness.Approve(gate));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("exports are kept", result.Reason, StringComparison.Ordinal);
        var manifest = await harness.ReadJsonAsync<CloneFlow.Core.Activities.RunManifest>(runId, "manifest.json");
        Assert.NotEmpty(manifest!.Items);
        Assert.All(manifest.Items, i => Assert.True(i.Verified));
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Contains(report!.Approvals, a => a.Gate == "failure");
    }

    [Fact]
    public async Task A_clone_of_the_run_that_its_history_lost_is_found_before_the_export_and_never_reported_as_unchanged()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var prod = harness.Simulator["prod"];
        var runId = await harness.StartRunAsync();
        string? question = null;

        var result = await harness.RunToEndAsync(runId, gate =>
        {
            if (gate.Gate == "clone")
            {
                // As after storage lost the run's last seconds: the run's own request record is on the source.
                prod.InsertRecord("sn_instance_clone_request", new Dictionary<string, string>
                {
                    ["sys_id"] = Core.ServiceNow.Clones.TableCloneDriver.RequestSysId(runId),
                    ["number"] = "CLN0004242",
                    ["source_instance"] = "prod",
                    ["target_instance"] = "test",
                    ["state"] = "requested",
                });
                return WorkflowHarness.Approve(gate);
            }

            question = gate.Question;
            return WorkflowHarness.Reject(gate, "restore by hand");
        });

        // Nothing was exported over a target being cloned, and the run says its clone exists.
        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("0 of the", question, StringComparison.Ordinal);
        Assert.Contains("CLN0004242", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("unchanged", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(await harness.Artifacts.ListAsync(runId), a => a.Name.Contains("/exports/", StringComparison.Ordinal));
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Equal(1, report!.CloneRequests);
        Assert.Single(prod.GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task A_clone_on_hold_resumed_in_the_console_is_watched_to_the_end()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        harness.Simulator["prod"].CloneFaults = new CloneFaults { HoldAtPhase = "provision" };
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate =>
        {
            if (gate.Gate == "failure")
            {
                // What the admin does in the Clone Admin Console before telling CloneFlow to carry on.
                harness.Simulator["prod"].CloneFaults = new CloneFaults();
                var number = harness.Simulator["prod"].GetRecords("sn_instance_clone_request")[0]["number"];
                Assert.True(harness.Simulator["prod"].ResumeClone(number));
                return WorkflowHarness.Approve(gate, ("action", "retry"));
            }

            return WorkflowHarness.Approve(gate);
        });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.True(result.Verified, result.Reason);
    }

    [Fact]
    public async Task Cancel_during_the_clone_before_node_repoint_cancels_it_and_leaves_the_target_alone()
    {
        await using var harness = await WorkflowHarness.StartAsync(o => o.CloneDuration = TimeSpan.FromHours(4));
        var inFlight = harness.Simulator["test"].GetRecords("sys_update_set", "state=in progress").Count;
        var runId = await harness.StartRunAsync();
        var canceled = false;

        var result = await harness.RunToEndAsync(runId, gate =>
        {
            _ = Task.Run(async () =>
            {
                // Cancel as soon as the clone is running.
                while (!canceled)
                {
                    if ((await harness.StatusAsync(runId))?.CloneRequest is not null)
                    {
                        canceled = true;
                        Assert.Equal(System.Net.HttpStatusCode.Accepted, await harness.CancelAsync(runId));
                    }

                    await Task.Delay(100);
                }
            });
            return WorkflowHarness.Approve(gate);
        });

        Assert.Equal(RunOutcome.Canceled, result.Outcome);
        Assert.Equal("canceled", harness.Simulator["prod"].GetRecords("sn_instance_clone_request")[0]["state"]);
        Assert.Equal(inFlight, harness.Simulator["test"].GetRecords("sys_update_set", "state=in progress").Count);
    }

    [Fact]
    public async Task A_target_that_already_has_an_open_clone_is_not_cloned_again()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        harness.Simulator["prod"].InsertRecord("sn_instance_clone_request", new Dictionary<string, string>
        {
            ["number"] = "CLN0000042", ["source_instance"] = "prod", ["target_instance"] = "test", ["state"] = "scheduled", ["scheduled_start"] = "2027-06-01 00:00:00",
        });
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("CLN0000042", result.Reason, StringComparison.Ordinal);
        Assert.Contains("Preflight", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(await harness.Artifacts.ListAsync(runId), a => a.Name.Contains("/exports/", StringComparison.Ordinal));
        Assert.Single(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }
}

/// <summary>What the clone request needs, checked by preflight before anyone is asked to approve.</summary>
public class PreflightRequestTests
{
    [Fact]
    public async Task A_clone_name_the_instance_does_not_answer_to_and_a_missing_profile_fail_preflight_before_any_approval()
    {
        // Loopback URLs and no cloneName: the name would be derived from "127.0.0.1".
        await using var harness = await WorkflowHarness.StartAsync(target: t => t with { Cloning = t.Cloning with { Profile = "0123456789abcdef0123456789abcdef" } });
        var configuration = harness.Services.Configuration;
        var renamed = configuration with { Instances = new Dictionary<string, Core.Configuration.InstanceConfiguration>(configuration.Instances) { ["test"] = configuration.Instances["test"] with { CloneName = null } } };
        var services = new Core.Runtime.RunServices(renamed, harness.Services.Clients, harness.Artifacts);

        var preflight = await new Core.Activities.PreflightActivity(services).ExecuteAsync(new RunRef("clone-test-preflight", "test"));

        Assert.Contains(preflight.Problems, p => p.Contains("would name test '127'", StringComparison.Ordinal) && p.Contains("calls itself 'test'", StringComparison.Ordinal));
        Assert.Contains(preflight.Problems, p => p.Contains("clone profile 0123456789abcdef0123456789abcdef", StringComparison.Ordinal));
    }
}

/// <summary>Runs per target and clones canceled outside CloneFlow.</summary>
public class RunControlTests
{
    [Fact]
    public async Task A_second_request_for_a_busy_target_is_refused_with_the_running_run_id()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var runs = new CloneFlow.Core.Runs.CloneRuns(harness.Client, harness.Configuration);

        var first = await runs.StartAsync("test", WorkflowHarness.Requester, dryRun: false, CancellationToken.None);
        var second = await runs.StartAsync("test", WorkflowHarness.Requester, dryRun: false, CancellationToken.None, runId: "clone-test-20990101000000");

        Assert.True(first.Started);
        Assert.False(second.Started);
        Assert.Equal(first.RunId, second.RunId);
        await Assert.ThrowsAsync<ArgumentException>(() => runs.StartAsync("prod", WorkflowHarness.Requester, false, CancellationToken.None));
        await runs.CancelAsync(first.RunId, WorkflowHarness.Requester, "test over", CancellationToken.None);
        var result = await harness.RunToEndAsync(first.RunId, _ => null);
        Assert.Equal(RunOutcome.Canceled, result.Outcome);
        Assert.True((await runs.StartAsync("test", WorkflowHarness.Requester, dryRun: true, CancellationToken.None, runId: "clone-test-20990101000001")).Started);
    }

    [Fact]
    public async Task A_clone_canceled_in_the_console_ends_the_run_canceled_with_the_target_untouched()
    {
        await using var harness = await WorkflowHarness.StartAsync(o => o.CloneDuration = TimeSpan.FromHours(4));
        var inFlight = harness.Simulator["test"].GetRecords("sys_update_set", "state=in progress").Count;
        var runId = await harness.StartRunAsync();
        var canceled = false;

        var result = await harness.RunToEndAsync(runId, gate =>
        {
            _ = Task.Run(async () =>
            {
                while (!canceled)
                {
                    var requests = harness.Simulator["prod"].GetRecords("sn_instance_clone_request");
                    if (requests.Count > 0)
                    {
                        // What an admin does in the Clone Admin Console.
                        canceled = harness.Simulator["prod"].UpdateRecord("sn_instance_clone_request", requests[0]["sys_id"], new Dictionary<string, string> { ["state"] = "canceled" });
                    }

                    await Task.Delay(50);
                }
            });
            return WorkflowHarness.Approve(gate);
        });

        Assert.Equal(RunOutcome.Canceled, result.Outcome);
        Assert.Contains("canceled", result.Reason, StringComparison.Ordinal);
        Assert.Equal(inFlight, harness.Simulator["test"].GetRecords("sys_update_set", "state=in progress").Count);
    }
}
