using CloneFlow.Core.Activities;
using CloneFlow.Core.Runs;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>A whole run, judged from the instance's side: the target through the Table API before the clone and after the restore.</summary>
public class WholeRestoreTests
{
    [Fact]
    public async Task After_a_run_answered_on_the_approval_page_the_target_holds_everything_in_flight_as_before()
    {
        // A table the clone overwrites (both instances have it, no preserver keeps it) carries test data across.
        await using var harness = await WorkflowHarness.StartAsync(target: t => t with { ExtraTables = [new Core.Configuration.ExtraTableConfiguration { Table = "u_test_data", Query = string.Empty }] });
        var (prod, test) = (harness.Simulator["prod"], harness.Simulator["test"]);
        prod.CreateTable("u_test_data");
        test.CreateTable("u_test_data");
        prod.InsertRecord("u_test_data", new Dictionary<string, string> { ["name"] = "from production" });
        test.InsertRecord("u_test_data", new Dictionary<string, string> { ["name"] = "tester account alice" });
        var (prodUrl, testUrl) = (harness.Simulator.Instances["prod"], harness.Simulator.Instances["test"]);
        var released = await TableApiSnapshot.PromotedAsync(prodUrl);
        var notInFlight = released.Union(await TableApiSnapshot.LocalSetsAsync(prodUrl)).ToHashSet(StringComparer.Ordinal);
        var apps = await TableApiSnapshot.AppsOnlyOnAsync(testUrl, prodUrl);
        var before = await TableApiSnapshot.TakeAsync(testUrl, notInFlight, apps, ["u_test_data"]);

        // The estate has what the comparison must cover, or the test proves little.
        Assert.NotEmpty(released);
        Assert.Single(apps);
        Assert.Contains(before, l => l.StartsWith("row x_acme_facreq_request", StringComparison.Ordinal));
        Assert.Contains(before, l => l.StartsWith("remote set ", StringComparison.Ordinal) && l.Contains("| previewed |", StringComparison.Ordinal));
        Assert.Contains(before, l => l.StartsWith("local set ", StringComparison.Ordinal) && !l.Contains("| parent none |", StringComparison.Ordinal));
        Assert.Contains(before, l => l.StartsWith("local set ", StringComparison.Ordinal) && l.Contains($"| application {apps[0]}", StringComparison.Ordinal));

        var runId = await harness.StartRunAsync();
        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));
        var after = await TableApiSnapshot.TakeAsync(testUrl, notInFlight, apps, ["u_test_data"]);
        var empty = before.Where(l => l.StartsWith("empty set ", StringComparison.Ordinal)).ToList();

        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
        // Identical, line by line, but for two things people were told: the clone adds production's test-data row
        // beside the restored ones, and empty sets (nothing in them) are listed on the plan as lost, not carried.
        var expected = before.Except(empty).Concat(await TableApiSnapshot.RowsOfAsync(prodUrl, "u_test_data")).Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(after), $"only before:\n{string.Join('\n', expected.Except(after))}\nonly after:\n{string.Join('\n', after.Except(expected))}");

        // Promoted sets are production's: not one of them went into an export.
        var manifest = await harness.ReadJsonAsync<RunManifest>(runId, "manifest.json");
        Assert.DoesNotContain(manifest!.Items, i => released.Contains(i.SourceId));
        var plan = await harness.ReadJsonAsync<RunPlan>(runId, "plan.json");
        Assert.Equal(empty, plan!.EmptySets.Select(s => $"empty set {s.Name}").Order(StringComparer.Ordinal));
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        var app = Assert.Single(report!.Applications);
        Assert.True(app.Identical, $"{app.Name}: {app.MissingFileCount} files missing, version {app.VersionAfter}");
    }
}
