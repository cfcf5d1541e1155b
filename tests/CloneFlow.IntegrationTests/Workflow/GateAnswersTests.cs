using System.Net;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runs;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>The answers the failure and problems gates take, each given on the approval page as a person gives it.</summary>
public sealed class GateAnswersTests
{
    [Fact]
    public async Task A_failed_step_is_skipped_on_the_page_only_with_a_reason_and_the_report_keeps_it()
    {
        // A table only the target has: the clone drops it, so its rows cannot be re-inserted and the step fails.
        await using var harness = await WorkflowHarness.StartAsync(target: t => t with { ExtraTables = [.. t.ExtraTables, new ExtraTableConfiguration { Table = "u_lab_equipment", Query = string.Empty }] });
        var test = harness.Simulator["test"];
        test.CreateTable("u_lab_equipment");
        test.InsertRecord("u_lab_equipment", new Dictionary<string, string> { ["name"] = "oscilloscope" });
        var runId = await harness.StartRunAsync();
        Core.Http.ApprovalPageResult? withoutReason = null;

        var result = await harness.RunToEndAsync(runId, gate =>
        {
            if (gate.Gate != "failure")
            {
                return WorkflowHarness.Approve(gate);
            }

            harness.ExpectRefusals = true;
            withoutReason = harness.AnswerOnPageAsync(gate, harness.Pages.LinkFor(harness, runId, gate)!, WorkflowHarness.Approve(gate, ("action", "skip"))).GetAwaiter().GetResult();
            harness.ExpectRefusals = false;
            return WorkflowHarness.Approve(gate, ("action", "skip"), ("reason", "the lab table comes back with its app"));
        });

        Assert.Equal(HttpStatusCode.BadRequest, withoutReason!.Status);
        Assert.Contains("say why the step may be skipped", withoutReason.Message, StringComparison.Ordinal);
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Contains(report!.Timeline, p => p.Phase == "restore-tables skipped: the lab table comes back with its app" && p.Outcome == "skipped");
        Assert.Single(report.Approvals, a => a.Gate == "failure" && a.Decision == "approve");
    }

    [Fact]
    public async Task Preview_problems_are_previewed_again_on_request_and_then_committed_with_the_choices_made()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var runId = await harness.StartRunAsync();
        var problemRounds = 0;

        // The plugin stays off, so the preview finds missing tables; the first answer asks for another preview.
        var result = await harness.RunToEndAsync(runId, gate => gate.Gate switch
        {
            "plugins" => WorkflowHarness.Reject(gate, "activate it later"),
            "problems" when ++problemRounds == 1 => WorkflowHarness.Approve(gate, ("action", "repreview")),
            "problems" => WorkflowHarness.Approve(gate, ("action", "commit"), ("default", "skip")),
            _ => WorkflowHarness.Approve(gate),
        });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(2, problemRounds);
        Assert.NotNull(await harness.ReadJsonAsync<List<Core.Activities.PreviewProblem>>(runId, "problems-01.json"));
        Assert.NotNull(await harness.ReadJsonAsync<List<Core.Activities.PreviewProblem>>(runId, "problems-02.json"));
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Equal(2, report!.Approvals.Count(a => a.Gate == "problems" && a.Decision == "approve"));
    }
}
