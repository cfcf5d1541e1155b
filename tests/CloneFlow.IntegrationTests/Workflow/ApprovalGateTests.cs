using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>The clone approval gate: rejection, expiry with reminder and escalation, cancel while waiting.</summary>
public class ApprovalGateTests
{
    [Fact]
    public async Task A_rejected_plan_exports_nothing_and_requests_no_clone()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Reject(gate, "not this week"));

        Assert.Equal(RunOutcome.Rejected, result.Outcome);
        Assert.Contains("not this week", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
        Assert.DoesNotContain(await harness.Artifacts.ListAsync(runId), a => a.Name.Contains("/exports/", StringComparison.Ordinal));
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Equal(RunOutcome.Rejected, report!.Status);
        Assert.Contains(report.Approvals, a => a.Gate == "clone" && a.Decision == "reject");
    }

    [Fact]
    public async Task An_unanswered_approval_is_reminded_escalated_and_then_expires_as_rejected()
    {
        await using var harness = await WorkflowHarness.StartAsync(policies: p => p with
        {
            ReminderAfter = TimeSpan.FromSeconds(1),
            EscalateAfter = TimeSpan.FromSeconds(2),
            ApprovalTimeout = TimeSpan.FromSeconds(3),
            EscalationApprovers = ["head.of.platform@acme.example"],
        });
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, _ => null);

        Assert.Equal(RunOutcome.Rejected, result.Outcome);
        Assert.Contains("in time", result.Reason, StringComparison.Ordinal);
        var sent = harness.Notifier.Sent.Where(n => n.Notification.RunId == runId).Select(n => n.Notification.Kind).ToList();
        Assert.Contains(NotificationKind.ApprovalRequest, sent);
        Assert.Contains(NotificationKind.Reminder, sent);
        var escalation = Assert.Single(harness.Notifier.Sent, n => n.Notification.Kind == NotificationKind.Escalation);
        Assert.Contains(escalation.Recipients, r => r.Address == "head.of.platform@acme.example" && r.ApprovalLink is not null);
        Assert.Empty(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task The_requester_approving_their_own_run_on_the_page_is_refused_and_the_gate_expires()
    {
        await using var harness = await WorkflowHarness.StartAsync(policies: p => p with { ApprovalTimeout = TimeSpan.FromSeconds(4), EscalateAfter = TimeSpan.FromSeconds(3), ReminderAfter = TimeSpan.FromSeconds(2) });
        harness.ExpectRefusals = true;
        // The approver asks for the run, then opens their own link: separation of duties refuses it.
        var runId = await harness.StartRunAsync(requestedBy: WorkflowHarness.Approver);

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));

        Assert.Equal(RunOutcome.Rejected, result.Outcome);
        var (_, page) = Assert.Single(harness.PageAnswers);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, page.Status);
        Assert.Contains("another approver", page.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task Cancel_while_waiting_for_approval_ends_the_run_without_a_clone()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate =>
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, harness.CancelAsync(runId).GetAwaiter().GetResult());
            return null;
        });

        Assert.Equal(RunOutcome.Canceled, result.Outcome);
        Assert.Contains("canceled through the API", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }
}
