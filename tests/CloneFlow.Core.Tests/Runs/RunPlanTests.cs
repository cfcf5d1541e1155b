using System.Text.Json;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;

namespace CloneFlow.Core.Tests.Runs;

public class RunPlanTests
{
    [Fact]
    public void A_set_keeps_its_page_starts_through_the_stored_plan()
    {
        var plan = new RunPlan { LocalSets = [new PlannedSet("s1", "Sprint 1", "in progress", "global", string.Empty, 250) { PageStarts = ["4a", "9c"] }] };

        var read = JsonSerializer.Deserialize<RunPlan>(JsonSerializer.Serialize(plan, ArtifactJson.Options), ArtifactJson.Options)!;

        Assert.Equal(["4a", "9c"], read.LocalSets.Single().PageStarts);
        Assert.Equal(250, read.Updates);
    }

    [Fact]
    public void A_plan_stored_before_page_starts_were_noted_reads_with_none()
    {
        const string stored = """{"runId":"r","localSets":[{"sysId":"s1","name":"Sprint 1","state":"in progress","application":"global","parent":"","updates":250}]}""";

        var read = JsonSerializer.Deserialize<RunPlan>(stored, ArtifactJson.Options)!;

        Assert.Empty(read.LocalSets.Single().PageStarts);
        Assert.Equal(250, read.LocalSets.Single().Updates);
    }

    [Theory]
    [InlineData(0, 0, 0, 0, 1)]
    [InlineData(3, 2, 0, 0, 6)]
    [InlineData(3, 2, 2, 0, 12)]
    [InlineData(3, 2, 2, 2, 14)]
    public void The_exports_of_a_plan_are_each_set_the_plugin_list_each_app_and_each_of_its_tables_and_each_extra_table(int local, int remote, int apps, int tables, int expected)
    {
        PlannedSet Set(int i) => new($"s{i}", $"Set {i}", "in progress", "global", string.Empty, 1);

        // Every app here owns two tables: their rows are exports of their own, beside the app's update set.
        var plan = new RunPlan
        {
            LocalSets = Enumerable.Range(0, local).Select(Set).ToList(),
            RemoteSets = Enumerable.Range(0, remote).Select(Set).ToList(),
            ScopedApps = Enumerable.Range(0, apps).Select(i => new PlannedApp($"a{i}", $"App {i}", $"x_app{i}") { Tables = [new($"a{i}", $"x_app{i}_one", 3, 1), new($"a{i}", $"x_app{i}_two", 3, 0)] }).ToList(),
            ExtraTables = Enumerable.Range(0, tables).Select(i => new PlannedTable($"t{i}", string.Empty, 1)).ToList(),
        };

        Assert.Equal(expected, plan.ExportItems);
        Assert.Equal(expected, plan.Summary.ExportItems);
        Assert.DoesNotContain("exportItems", JsonSerializer.Serialize(plan, ArtifactJson.Options), StringComparison.Ordinal);
    }
}
