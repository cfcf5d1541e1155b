namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>Nothing large passes through orchestration history: it grows with chunks of sets, not with their content.</summary>
public class HistorySizeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_200_set_run_keeps_its_history_inputs_and_outputs_under_64_KB()
    {
        await using var harness = await WorkflowHarness.StartAsync(o =>
        {
            o.Estate.InProgressSets = 200;
            o.Estate.UpdatesPerSet = 2;
        });
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate), TimeSpan.FromMinutes(4));

        Assert.True(result.Verified, result.Reason);
        var payload = harness.HistoryPayloads.Bytes;
        output.WriteLine(string.Join("; ", harness.HistoryPayloads.ByType.OrderByDescending(t => t.Value).Select(t => $"{t.Key}={t.Value}")));
        output.WriteLine($"200-set run: {payload} bytes of inputs and outputs in history, largest {harness.HistoryPayloads.Largest}");
        Assert.True(payload > 1000, "the converter must see the run's payloads (else this test proves nothing)");
        Assert.True(payload < 64 * 1024, $"history carries {payload} bytes of inputs and outputs for a 200-set run");
        Assert.True(harness.HistoryPayloads.Largest < 4096, $"one payload was {harness.HistoryPayloads.Largest} bytes");
    }
}
