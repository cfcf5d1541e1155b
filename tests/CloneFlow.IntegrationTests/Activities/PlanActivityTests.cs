using CloneFlow.Simulator.Seeding;

namespace CloneFlow.IntegrationTests.Activities;

/// <summary>Which sets a run exports: judged by what the source holds, the way ServiceNow records a promotion.</summary>
public sealed class PlanActivityTests : IAsyncLifetime
{
    private ActivityStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await ActivityStack.StartAsync(new EstateOptions { InProgressSets = 3, UpdatesPerSet = 3, PromotedSets = 2 });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_complete_set_promoted_to_production_is_released_and_not_exported_while_unreleased_ones_are()
    {
        var (prod, test) = (_stack.Simulator["prod"], _stack.Simulator["test"]);
        var promoted = test.GetRecords("sys_update_set", "nameLIKEpromoted to production").ToList();
        Assert.Equal(2, promoted.Count);
        // On production each arrived as a committed remote set pointing at test's set; its commit made a local set with a sys_id of its own.
        Assert.All(promoted, set =>
        {
            Assert.Single(prod.GetRecords("sys_remote_update_set", $"state=committed^remote_sys_id={set["sys_id"]}"));
            var local = Assert.Single(prod.GetRecords("sys_update_set", $"name={set["name"]}"));
            Assert.NotEqual(set["sys_id"], local["sys_id"]);
        });

        var (_, plan) = await _stack.PlanAsync();

        var exported = plan.LocalSets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(exported, name => name.Contains("promoted to production", StringComparison.Ordinal));
        Assert.DoesNotContain(exported, name => name.StartsWith("Release 2025.", StringComparison.Ordinal));
        var unreleased = test.GetRecords("sys_update_set", "state=complete^nameLIKEready for release").Select(s => s["name"]).ToList();
        Assert.NotEmpty(unreleased);
        Assert.All(unreleased, name => Assert.Contains(name, exported));
        Assert.All(test.GetRecords("sys_update_set", "state=in progress^name!=Default"), set =>
        {
            if (test.GetRecords("sys_update_xml", $"update_set={set["sys_id"]}").Count > 0)
            {
                Assert.Contains(set["name"], exported);
            }
        });
    }

    [Fact]
    public async Task A_scoped_app_in_development_is_planned_with_its_version_files_tables_and_the_latest_update_of_each_file_not_in_an_exported_set()
    {
        var test = _stack.Simulator["test"];
        var app = Assert.Single(test.GetRecords("sys_app", $"scope={SeededApp.Scope}"));
        var files = test.GetRecords("sys_metadata", $"sys_scope={app["sys_id"]}");

        var (_, plan) = await _stack.PlanAsync();

        var planned = Assert.Single(plan.ScopedApps);
        Assert.Equal((app["sys_id"], SeededApp.Version, Core.Runs.AppRoutes.UpdateSet), (planned.SysId, planned.Version, planned.Route));
        Assert.Equal(files.Select(f => f["sys_id"]).Order(StringComparer.Ordinal), planned.Files);
        Assert.Empty(planned.UntrackedFiles);
        var table = Assert.Single(planned.Tables);
        Assert.Equal((SeededApp.Table, (long)SeededApp.Columns.Count, (long)SeededApp.Rows), (table.Table, table.Columns, table.Rows));

        // The app's own updates (its Default set, never exported) go with it; the development set, exported, brings its own.
        var development = plan.LocalSets.Single(s => s.Application == app["sys_id"]).SysId;
        var own = test.GetRecords("sys_update_xml", $"application={app["sys_id"]}^update_set!={development}");
        Assert.Equal(own.Select(u => u["sys_id"]).Order(StringComparer.Ordinal), planned.Updates);
        Assert.Contains(own, u => u["name"] == $"sys_app_{app["sys_id"]}");
    }
}
