using System.Net;
using CloneFlow.Core.Runs;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>
/// The manual driver end to end, the one route that works on every real instance: CloneFlow asks a
/// person to request the clone in the Clone Admin Console, the person does (the simulator's console
/// endpoint does what the console does) and enters the number on the approval page, which checks it
/// against the source; CloneFlow then watches that clone, restores and verifies.
/// </summary>
public sealed class ManualCloneDriverTests
{
    private static readonly string[] WrongNumbers = ["CLN9999999", "tomorrow"];

    [Fact]
    public async Task A_person_requests_the_clone_in_the_console_enters_its_number_on_the_page_and_the_run_restores_and_verifies()
    {
        await using var harness = await WorkflowHarness.StartAsync(target: t => t with { Cloning = t.Cloning with { Driver = "manual" } });
        var prod = harness.Simulator["prod"];
        var test = harness.Simulator["test"];
        var inFlight = InFlight(test);
        var runId = await harness.StartRunAsync();
        using var stop = new CancellationTokenSource();
        var cancel = Task.Run(async () =>
        {
            // While CloneFlow watches the console's clone, only the console can cancel it.
            while (!stop.IsCancellationRequested)
            {
                if ((await harness.StatusAsync(runId)) is { Phase: "monitor", CloneRequest: not null })
                {
                    return await harness.Pages.CancelProblemAsync(runId);
                }

                await Task.Delay(50);
            }

            return (HttpStatusCode.RequestTimeout, string.Empty);
        });
        string? asked = null;
        var refusals = new List<string>();

        var result = await harness.RunToEndAsync(runId, gate =>
        {
            if (gate.Gate != "clone-number")
            {
                return WorkflowHarness.Approve(gate);
            }

            asked = gate.Question;
            // The HTTP API says what the gate asks for, from the same form the page renders.
            var apiGate = harness.Pages.GetRunAsync(runId).GetAwaiter().GetResult().GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("gate").GetString() == "clone-number");
            Assert.Equal("number", apiGate.GetProperty("inputs")[0].GetProperty("name").GetString());
            var link = harness.Pages.LinkFor(harness, runId, gate)!;
            harness.ExpectRefusals = true;
            // Before the console: a number that does not exist, and one that is not a number at all.
            foreach (var wrong in WrongNumbers)
            {
                var page = harness.AnswerOnPageAsync(gate, link, WorkflowHarness.Approve(gate, ("number", wrong))).GetAwaiter().GetResult();
                Assert.Equal(HttpStatusCode.BadRequest, page.Status);
                refusals.Add(page.Message);
            }

            harness.ExpectRefusals = false;
            var number = prod.RequestCloneInConsole("test");
            return WorkflowHarness.Approve(gate, ("number", number.ToLowerInvariant()));
        }, TimeSpan.FromMinutes(4));

        await stop.CancelAsync();
        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
        var (cancelStatus, cancelDetail) = await cancel;
        Assert.Equal(HttpStatusCode.Conflict, cancelStatus);
        Assert.Contains("cancel it there on prod before node repoint", cancelDetail, StringComparison.Ordinal);
        Assert.Contains("Clone Admin Console", asked, StringComparison.Ordinal);
        Assert.Contains(refusals, r => r.Contains("There is no clone request CLN9999999 on prod", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains("is not a request number", StringComparison.Ordinal));
        // One clone, the person's, watched to the end; every in-flight set is back.
        var request = Assert.Single(prod.GetRecords("sn_instance_clone_request"));
        Assert.Equal("completed", request["state"]);
        Assert.Equal(inFlight, InFlight(test));
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Equal(1, report!.CloneRequests);
        Assert.Equal(request["number"], (await harness.ReadJsonAsync<Core.Activities.CloneRequestRecord>(runId, "clone-request.json"))!.Number);
    }

    /// <summary>Each in-progress set with updates, by name, with its update count (empty sets are not kept by design).</summary>
    private static SortedDictionary<string, int> InFlight(Simulator.SimulatedInstance instance)
    {
        var found = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var set in instance.GetRecords("sys_update_set", "state=in progress^name!=Default"))
        {
            var updates = instance.GetRecords("sys_update_xml", $"update_set={set["sys_id"]}").Count;
            if (updates > 0)
            {
                found[set["name"]] = found.GetValueOrDefault(set["name"]) + updates;
            }
        }

        return found;
    }
}
