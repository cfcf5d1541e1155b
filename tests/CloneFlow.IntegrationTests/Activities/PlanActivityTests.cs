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
}
