using System.Net;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>Cancels sent through the HTTP API (as <c>cloneflow cancel</c> sends them) where CloneFlow can no longer stop the clone.</summary>
public sealed class CancelTests
{
    private static readonly string[] PastNodeRepoint = ["node repoint", "schedule scripts", "post-clone cleanup"];

    [Fact]
    public async Task A_cancel_past_node_repoint_is_refused_once_the_person_is_told_and_the_run_restores()
    {
        await using var harness = await WorkflowHarness.StartAsync(o => o.CloneDuration = TimeSpan.FromHours(8));
        var prod = harness.Simulator["prod"];
        var runId = await harness.StartRunAsync();
        using var stop = new CancellationTokenSource();
        var cancel = Task.Run(async () =>
        {
            // Judged on the source's own record: the clone is past the point of no return.
            while (!stop.IsCancellationRequested)
            {
                if (prod.GetRecords("sn_instance_clone_request") is [var request, ..] && PastNodeRepoint.Contains(request["phase"]))
                {
                    return await harness.CancelAsync(runId);
                }

                await Task.Delay(50);
            }

            return HttpStatusCode.RequestTimeout;
        });

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate), TimeSpan.FromMinutes(4));
        await stop.CancelAsync();

        Assert.Equal(HttpStatusCode.Accepted, await cancel);
        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
        Assert.Equal("completed", Assert.Single(prod.GetRecords("sn_instance_clone_request"))["state"]);
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Single(report!.Timeline, p => p.Phase.StartsWith("cancel by ", StringComparison.Ordinal) && p.Phase.EndsWith(" refused", StringComparison.Ordinal));
        var told = Assert.Single(harness.Notifier.Sent, n => n.Notification.RunId == runId && n.Notification.Kind == NotificationKind.CancelRefused);
        Assert.Contains("could not be canceled", told.Notification.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancel_after_the_clone_answers_409_with_what_to_do_instead_and_the_run_restores()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var runId = await harness.StartRunAsync();
        using var stop = new CancellationTokenSource();
        var cancel = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if ((await harness.StatusAsync(runId))?.Phase.StartsWith("restore", StringComparison.Ordinal) == true)
                {
                    return await harness.Pages.CancelProblemAsync(runId);
                }

                await Task.Delay(50);
            }

            return (HttpStatusCode.RequestTimeout, string.Empty);
        });

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));
        await stop.CancelAsync();

        var (status, detail) = await cancel;
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("has already overwritten test", detail, StringComparison.Ordinal);
        Assert.True(result is { Outcome: RunOutcome.Completed, Verified: true }, result.Reason);
    }

    [Fact]
    public async Task A_cancel_during_the_export_stops_the_run_before_any_clone_and_keeps_what_was_verified()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        harness.Simulator["test"].Faults = new Simulator.Faults.FaultSettings { LatencyMs = 150 };
        var runId = await harness.StartRunAsync();
        using var stop = new CancellationTokenSource();
        var cancel = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if ((await harness.StatusAsync(runId))?.Phase == "export")
                {
                    return await harness.CancelAsync(runId);
                }

                await Task.Delay(20);
            }

            return HttpStatusCode.RequestTimeout;
        });

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate));
        await stop.CancelAsync();

        Assert.Equal(HttpStatusCode.Accepted, await cancel);
        Assert.Equal(RunOutcome.Canceled, result.Outcome);
        Assert.Contains("before any clone was requested", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }
}
