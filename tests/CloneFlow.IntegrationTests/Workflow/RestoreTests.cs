using CloneFlow.Core.Runs;
using CloneFlow.Simulator.Faults;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>Restores with preview problems, faults, failed exports and dry runs.</summary>
public class RestoreTests
{
    [Fact]
    public async Task Preview_problems_are_resolved_through_the_gate_and_the_report_shows_what_was_skipped()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var runId = await harness.StartRunAsync();

        // Refuse the plugin activation: the agile plugin's tables stay missing, so the preview finds missing objects.
        var result = await harness.RunToEndAsync(runId, gate => gate.Gate switch
        {
            "plugins" => WorkflowHarness.Reject(gate, "activate it later"),
            "problems" => WorkflowHarness.Approve(gate, ("default", "skip")),
            _ => WorkflowHarness.Approve(gate),
        });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.False(result.Verified);
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Contains(report!.Approvals, a => a.Gate == "problems" && a.Decision == "approve");
        Assert.Contains("com.snc.sdlc.agile.2.0", report.Plugins.MissingAfterClone);
        Assert.Empty(report.Plugins.Activated);
        var problems = await harness.ReadJsonAsync<List<CloneFlow.Core.Activities.PreviewProblem>>(runId, "problems-01.json");
        Assert.Contains(problems!, p => p.MissingTable == "scrum_pp_config");
    }

    [Fact]
    public async Task Rows_of_an_extra_table_the_clone_overwrites_come_back_each_exactly_once()
    {
        // A table both instances have and no preserver keeps: the clone replaces test's rows with prod's.
        await using var harness = await WorkflowHarness.StartAsync(target: t => t with { ExtraTables = [new Core.Configuration.ExtraTableConfiguration { Table = "u_test_data", Query = string.Empty }] });
        var (prod, test) = (harness.Simulator["prod"], harness.Simulator["test"]);
        prod.CreateTable("u_test_data");
        test.CreateTable("u_test_data");
        prod.InsertRecord("u_test_data", new Dictionary<string, string> { ["name"] = "from production" });
        foreach (var name in new[] { "tester account alice", "tester account bob" })
        {
            test.InsertRecord("u_test_data", new Dictionary<string, string> { ["name"] = name });
        }

        var runId = await harness.StartRunAsync();
        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
        var rows = test.GetRecords("u_test_data").Select(r => r["name"]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["from production", "tester account alice", "tester account bob"], rows);
    }

    [Fact]
    public async Task A_failed_post_clone_check_makes_the_run_completed_with_failed_checks_not_verified()
    {
        // The banner is production's after the clone: a check that the team's post-clone script ran catches it.
        await using var harness = await WorkflowHarness.StartAsync(target: t => t with
        {
            PostCloneChecks = [.. t.PostCloneChecks, new Core.Configuration.PostCloneCheckConfiguration { Name = "Banner says TEST", Property = "glide.product.description", Expected = "TEST" }],
        });
        harness.Simulator["prod"].SetProperty("glide.product.description", "Acme Production");
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.False(result.Verified);
        Assert.StartsWith("Completed with failed checks", result.Reason, StringComparison.Ordinal);
        Assert.Contains("Banner says TEST", result.Reason, StringComparison.Ordinal);
        Assert.Equal("Acme Production", harness.Simulator["test"].GetProperty("glide.product.description"));
    }

    [Fact]
    public async Task Transient_faults_during_export_and_restore_lose_and_duplicate_nothing()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        harness.Simulator["test"].Faults = new FaultSettings { ErrorRate = 0.08, DropConnectionRate = 0.03 };
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        harness.Simulator["test"].Faults = new FaultSettings();
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.True(result.Verified, result.Reason);
        var updates = harness.Simulator["test"].GetRecords("sys_update_xml");
        Assert.Equal(updates.Count, updates.Select(u => u["sys_id"]).Distinct().Count());
        var remoteSets = harness.Simulator["test"].GetRecords("sys_remote_update_set");
        Assert.Equal(remoteSets.Count, remoteSets.Select(u => u["sys_id"]).Distinct().Count());
    }

    [Fact]
    public async Task An_export_that_cannot_be_written_whole_means_no_clone_is_requested()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var set = harness.Simulator["test"].GetRecords("sys_update_set", "state=in progress^name!=Default")[0];
        // A control character is not allowed in XML 1.0: the export cannot be written, so it cannot be verified.
        harness.Simulator["test"].InsertRecord("sys_update_xml", new Dictionary<string, string>
        {
            ["name"] = "sys_script_broken", ["update_set"] = set["sys_id"], ["payload"] = "<record_update>\u0001</record_update>", ["action"] = "INSERT_OR_UPDATE",
        });
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("No clone was requested", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task A_dry_run_plans_and_verifies_exports_without_asking_anyone_and_requests_no_clone()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var runId = await harness.StartRunAsync(dryRun: true);

        // No gate is answered: a dry run that asked for one would not finish.
        var result = await harness.RunToEndAsync(runId, _ => null);

        Assert.Equal(RunOutcome.DryRun, result.Outcome);
        Assert.DoesNotContain(harness.Notifier.Sent, n => n.Notification.RunId == runId && n.Notification.Kind is Core.Notifications.NotificationKind.FreezeNotice or Core.Notifications.NotificationKind.ApprovalRequest);
        Assert.Empty(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
        var manifest = await harness.ReadJsonAsync<CloneFlow.Core.Activities.RunManifest>(runId, "manifest.json");
        var plan = await harness.ReadJsonAsync<RunPlan>(runId, "plan.json");
        // Every set, the plugin list, the scoped apps and the extra table (ecc_agent).
        Assert.Equal(plan!.LocalSets.Count + plan.RemoteSets.Count + 1 + plan.ScopedApps.Count + plan.AppTables.Count + plan.ExtraTables.Count, manifest!.Items.Count);
        Assert.Equal(plan.ExportItems, manifest.Items.Count);
        Assert.All(manifest.Items, i => Assert.True(i.Verified, i.Error));
        Assert.Equal(plan.Updates, manifest.Items.Where(i => i.Kind is ExportKind.LocalSet or ExportKind.RemoteSet).Sum(i => i.Found));

        // The manifest is gathered where a run would request the clone: after the export phase, in a step of its own.
        var report = await harness.ReadJsonAsync<RunReport>(runId, CloneFlow.Core.Activities.WriteReportActivity.JsonBlob);
        var phases = report!.Timeline.Select(p => p.Phase).ToList();
        Assert.Equal(phases.IndexOf("export") + 1, phases.IndexOf("manifest"));
    }
}
