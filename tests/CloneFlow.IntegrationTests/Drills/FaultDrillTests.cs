using System.Globalization;
using Xunit.Abstractions;

namespace CloneFlow.IntegrationTests.Drills;

/// <summary>
/// Fault drills (issue #9): seeded schedules of 429 storms, 5xx bursts, dropped connections, long 503
/// outages of the target or source and an Azurite restart during the export, over whole clone runs.
/// After each: completed and verified, or waiting for a person with every export verified; never a
/// clone without verified exports; nothing inserted twice. Seeds 5-9 cycle through every fault kind
/// as the first window. A failing drill prints its seed, schedule and timeline.
/// </summary>
public class FaultDrillTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task A_seeded_fault_schedule_keeps_the_run_safe(int seed)
    {
        var report = await FaultDrill.RunAsync(seed);

        output.WriteLine(report.Describe());
        Assert.True(report.Passed, report.Describe());
    }
}

/// <summary>
/// The soak: more seeds, one after the other. Runs <c>CLONEFLOW_SOAK_DRILLS</c> drills (default 1)
/// from seed <c>CLONEFLOW_SOAK_FIRST_SEED</c> (default 1000), e.g.
/// <c>CLONEFLOW_SOAK_DRILLS=20 dotnet test tests/CloneFlow.IntegrationTests --filter "FullyQualifiedName~FaultDrillSoak"</c>.
/// Replay one seed with <c>CLONEFLOW_SOAK_FIRST_SEED=&lt;seed&gt; CLONEFLOW_SOAK_DRILLS=1</c>.
/// Every drill runs even after a failure; the test fails listing every failing seed.
/// </summary>
public class FaultDrillSoakTests(ITestOutputHelper output)
{
    public const string CountVariable = "CLONEFLOW_SOAK_DRILLS";
    public const string FirstSeedVariable = "CLONEFLOW_SOAK_FIRST_SEED";

    [Fact]
    public async Task Soak_seeded_fault_schedules()
    {
        var count = Number(CountVariable, 1);
        var first = Number(FirstSeedVariable, 1000);
        var failures = new List<string>();
        for (var seed = first; seed < first + count; seed++)
        {
            var report = await FaultDrill.RunAsync(seed);
            output.WriteLine(report.Summary);
            if (!report.Passed)
            {
                failures.Add(report.Describe());
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {count} drills broke an invariant:\n{string.Join("\n", failures)}");
    }

    private static int Number(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>Hand-written schedules for the faults the random ones reach only sometimes.</summary>
public class FaultDrillScenarioTests(ITestOutputHelper output)
{
    /// <summary>
    /// Regression: the target answering 503 during the export for longer than the export activity's
    /// attempts last (four, 14 s of backoff apart, each failing fast once the client's circuit opens)
    /// ended the run Failed although the target came back soon after. Now the run waits for a person
    /// (retry or abort) instead. The outage outlasts the attempts with room to spare (a 30 s one did only
    /// when the circuit opened early); the drill ends it at the failure gate.
    /// </summary>
    [Fact]
    public async Task The_target_down_longer_than_the_export_retries_asks_a_person_instead_of_ending_the_run()
    {
        var report = await FaultDrill.RunAsync(new FaultSchedule(-1,
        [
            new FaultWindow(FaultKind.Outage, "test", "export", TimeSpan.Zero, TimeSpan.FromSeconds(120), 1, 1),
        ]));

        output.WriteLine(report.Describe());
        Assert.True(report.Passed, report.Describe());
        Assert.True(report.FailureGates >= 1, report.Describe());
    }
}
