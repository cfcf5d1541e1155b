using System.Text.Json;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>The whole runbook on the durable engine against the simulator and Azurite.</summary>
public class CloneOrchestrationTests
{
    [Fact]
    public async Task Happy_path_restores_every_in_flight_set_with_the_same_updates_and_states()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var test = harness.Simulator["test"];
        // Empty sets are not kept (nothing to lose) unless they hold a batch together; every other
        // in-progress set must come back in progress, and batches with their parent links.
        var inProgressBefore = test.GetRecords("sys_update_set", "state=in progress^name!=Default")
            .Where(s => test.GetRecords("sys_update_xml", $"update_set={s["sys_id"]}").Count > 0 || test.GetRecords("sys_update_set", $"parent={s["sys_id"]}").Count > 0)
            .Select(r => r["name"]).Order(StringComparer.Ordinal).ToList();
        var batchBefore = BatchLinks(test);
        var parentsBefore = Parents(test, inProgressBefore);
        var remoteStatesBefore = test.GetRecords("sys_remote_update_set", "state!=committed").ToDictionary(r => r["name"], r => r["state"]);
        Assert.Contains("previewed", remoteStatesBefore.Values);
        var runId = await harness.StartRunAsync();

        var result = await harness.RunToEndAsync(runId, gate => WorkflowHarness.Approve(gate), TimeSpan.FromSeconds(40));

        Assert.True(result.Outcome == RunOutcome.Completed, result.Reason);
        Assert.True(result.Verified, result.Reason);
        var report = await harness.ReadJsonAsync<RunReport>(runId, WriteReportActivity.JsonBlob);
        Assert.NotNull(report);
        Assert.NotEmpty(report.UpdateSets);
        Assert.All(report.UpdateSets, s =>
        {
            Assert.Empty(s.Missing);
            Assert.Empty(s.Changed);
            Assert.Equal(s.StateBefore, s.StateAfter);
            Assert.Equal(s.UpdatesBefore, s.UpdatesAfter);
        });
        Assert.Equal(1, report.CloneRequests);
        Assert.Contains(report.Approvals, a => a.Gate == "clone" && a.Decision == "approve" && a.Approver == WorkflowHarness.Approver);
        Assert.Contains("com.snc.sdlc.agile.2.0", report.Plugins.MissingAfterClone);
        Assert.Contains("com.snc.sdlc.agile.2.0", report.Plugins.Activated);
        Assert.All(report.Checks, c => Assert.True(c.Passed, c.Detail));

        var inProgressAfter = test.GetRecords("sys_update_set", "state=in progress^name!=Default").Select(r => r["name"]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(inProgressBefore, inProgressAfter);
        Assert.NotEmpty(batchBefore);
        Assert.Equal(batchBefore, BatchLinks(test).Where(l => batchBefore.Contains(l)).ToList());
        var container = Assert.Single(test.GetRecords("sys_update_set", $"name=CloneFlow restore {runId}^state=ignore"));
        // Every set has the parent it had before (top-level sets none): the restore container is nobody's parent.
        Assert.Equal(parentsBefore, Parents(test, inProgressBefore));
        Assert.Empty(test.GetRecords("sys_update_set", $"parent={container["sys_id"]}"));
        // Remote sets are back in the state they had: a previewed one is previewed again.
        Assert.Equal(remoteStatesBefore, test.GetRecords("sys_remote_update_set", "state!=committed").Where(r => remoteStatesBefore.ContainsKey(r["name"])).ToDictionary(r => r["name"], r => r["state"]));
        Assert.Single(harness.Simulator["prod"].GetRecords("sn_instance_clone_request"));
        Assert.True(test.IsPluginActive("com.snc.sdlc.agile.2.0"));

        var html = await harness.Artifacts.OpenReadAsync(runId, WriteReportActivity.HtmlBlob);
        var page = await new StreamReader(html).ReadToEndAsync();
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.Contains("identical", page, StringComparison.Ordinal);
        Assert.Contains(harness.Notifier.Sent, n => n.Notification.Kind == NotificationKind.FreezeNotice);
        Assert.Contains(harness.Notifier.Sent, n => n.Notification.Kind == NotificationKind.ApprovalRequest && n.Recipients.Any(r => r.ApprovalLink is not null));
        Assert.Contains(harness.Notifier.Sent, n => n.Notification.Kind == NotificationKind.FinalReport);

        // The report JSON honours the published contract.
        await using var raw = await harness.Artifacts.OpenReadAsync(runId, WriteReportActivity.JsonBlob);
        using var json = await JsonDocument.ParseAsync(raw);
        foreach (var key in new[] { "runId", "source", "target", "status", "verified", "cloneRequests", "approvals", "updateSets", "plugins", "checks" })
        {
            Assert.True(json.RootElement.TryGetProperty(key, out _), $"report.json lacks {key}");
        }

        Assert.Equal("Completed", json.RootElement.GetProperty("status").GetString());
        var set = json.RootElement.GetProperty("updateSets")[0];
        foreach (var key in new[] { "name", "kind", "stateBefore", "stateAfter", "updatesBefore", "updatesAfter", "missing", "changed" })
        {
            Assert.True(set.TryGetProperty(key, out _), $"updateSets[0] lacks {key}");
        }
    }

    /// <summary>"child -> parent" by name for every local set whose parent is another in-flight local set.</summary>
    /// <summary>Each named set's parent by name ("" for none), as the instance shows it.</summary>
    private static SortedDictionary<string, string> Parents(CloneFlow.Simulator.SimulatedInstance instance, IEnumerable<string> names)
    {
        var sets = instance.GetRecords("sys_update_set");
        var byId = sets.ToDictionary(s => s["sys_id"], s => s["name"]);
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        return new SortedDictionary<string, string>(
            sets.Where(s => wanted.Contains(s["name"])).ToDictionary(s => s["name"], s => s.TryGetValue("parent", out var parent) && byId.TryGetValue(parent, out var name) ? name : string.Empty),
            StringComparer.Ordinal);
    }

    private static List<string> BatchLinks(CloneFlow.Simulator.SimulatedInstance instance)
    {
        var sets = instance.GetRecords("sys_update_set");
        var names = sets.ToDictionary(s => s["sys_id"], s => s["name"]);
        return sets
            .Where(s => s.TryGetValue("parent", out var parent) && names.ContainsKey(parent) && !names[parent].StartsWith("CloneFlow restore", StringComparison.Ordinal))
            .Select(s => $"{s["name"]} -> {names[s["parent"]]}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
