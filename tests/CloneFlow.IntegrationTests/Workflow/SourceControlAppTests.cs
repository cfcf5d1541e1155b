using CloneFlow.Core.Runs;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>An app in development linked to source control: ServiceNow's post-clone import brings it back, or its update set does.</summary>
public class SourceControlAppTests
{
    [Fact]
    public async Task A_linked_app_comes_back_through_the_post_clone_import_and_CloneFlow_adds_its_rows_and_commits_no_update_set_for_it()
    {
        await using var harness = await StartAsync(importDelay: TimeSpan.FromMinutes(5));
        var (prodUrl, testUrl) = (harness.Simulator.Instances["prod"], harness.Simulator.Instances["test"]);
        var notInFlight = (await TableApiSnapshot.PromotedAsync(prodUrl)).Union(await TableApiSnapshot.LocalSetsAsync(prodUrl)).ToHashSet(StringComparer.Ordinal);
        var apps = await TableApiSnapshot.AppsOnlyOnAsync(testUrl, prodUrl);
        var before = await TableApiSnapshot.TakeAsync(testUrl, notInFlight, apps, []);

        var runId = await harness.StartRunAsync();
        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
        var plan = await harness.ReadJsonAsync<RunPlan>(runId, "plan.json");
        Assert.Equal(AppRoutes.SourceControl, Assert.Single(plan!.ScopedApps).Route);
        var after = await TableApiSnapshot.TakeAsync(testUrl, notInFlight, apps, []);
        var empty = before.Where(l => l.StartsWith("empty set ", StringComparison.Ordinal));
        Assert.True(before.Except(empty).SequenceEqual(after), $"only before:\n{string.Join('\n', before.Except(empty).Except(after))}\nonly after:\n{string.Join('\n', after.Except(before))}");

        // ServiceNow brought the app back: CloneFlow never committed the update set it exported as a fallback.
        Assert.Empty(harness.Simulator["test"].GetRecords("sys_update_set", $"nameSTARTSWITHCloneFlow restore {runId} - {SeededApp.Name}"));
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Equal(AppRoutes.SourceControl, Assert.Single(report!.Applications).Route);
    }

    [Fact]
    public async Task A_linked_app_the_import_does_not_bring_back_in_time_is_restored_from_its_update_set()
    {
        await using var harness = await StartAsync(importDelay: TimeSpan.FromDays(365));

        var runId = await harness.StartRunAsync();
        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
        var test = harness.Simulator["test"];
        var app = Assert.Single(test.GetRecords("sys_app", $"scope={SeededApp.Scope}"));
        Assert.Equal(SeededApp.Version, app["version"]);
        Assert.Equal(SeededApp.Rows, test.GetRecords(SeededApp.Table).Count);
        var carrier = Assert.Single(test.GetRecords("sys_update_set", $"nameSTARTSWITHCloneFlow restore {runId} - {SeededApp.Name}"));
        Assert.Equal("ignore", carrier["state"]);
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.StartsWith(AppRoutes.UpdateSet, Assert.Single(report!.Applications).Route, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_linked_app_takes_the_update_set_route_when_the_import_property_is_not_true_on_the_source()
    {
        await using var harness = await StartAsync(importDelay: TimeSpan.FromMinutes(5), onSource: false);

        var runId = await harness.StartRunAsync();
        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
        var planned = Assert.Single((await harness.ReadJsonAsync<RunPlan>(runId, "plan.json"))!.ScopedApps);
        Assert.Equal(AppRoutes.UpdateSet, planned.Route);
        Assert.Contains(AppRoutes.ImportProperty, planned.RouteReason, StringComparison.Ordinal);
        Assert.Single(harness.Simulator["test"].GetRecords("sys_update_set", $"nameSTARTSWITHCloneFlow restore {runId} - {SeededApp.Name}"));
    }

    private static async Task<WorkflowHarness> StartAsync(TimeSpan importDelay, bool onSource = true)
    {
        var harness = await WorkflowHarness.StartAsync(
            simulator: o =>
            {
                o.Estate.LinkScopedAppToSourceControl = true;
                o.SourceControlImportDelay = importDelay;
            },
            policies: p => p with { SourceControlImportTimeout = TimeSpan.FromSeconds(20) });
        foreach (var (instance, enabled) in new[] { ("prod", onSource), ("test", true) })
        {
            harness.Simulator[instance].InsertRecord("sys_properties", new Dictionary<string, string> { ["name"] = AppRoutes.ImportProperty, ["value"] = enabled ? "true" : "false" });
        }

        return harness;
    }
}
