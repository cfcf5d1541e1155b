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
}
