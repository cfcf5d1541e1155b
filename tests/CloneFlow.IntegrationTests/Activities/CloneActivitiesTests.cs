using CloneFlow.Core.Activities;
using CloneFlow.Core.Runs;
using CloneFlow.Core.ServiceNow.Clones;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.IntegrationTests.Activities;

/// <summary>The clone request against the simulator and Azurite: the last check of the exports before it.</summary>
public sealed class CloneActivitiesTests : IAsyncLifetime
{
    private ActivityStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await ActivityStack.StartAsync(new EstateOptions { InProgressSets = 4, UpdatesPerSet = 20, PayloadBytes = 300 });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task No_clone_is_requested_until_the_manifest_lists_every_planned_export_verified()
    {
        var (runId, plan) = await _stack.PlanAsync();
        var run = new RunRef(runId, "test");
        Assert.True(plan.LocalSets.Count >= 2, "the estate should give several local sets");

        // Everything but the last local set: the request gathers the manifest and stops there.
        await ExportAsync(runId, ExportKind.LocalSet, 0, plan.LocalSets.Count - 1);
        await ExportAsync(runId, ExportKind.RemoteSet, 0, plan.RemoteSets.Count);
        await ExportAsync(runId, ExportKind.Plugins, 0, 1);
        await ExportAsync(runId, ExportKind.ScopedApps, 0, plan.ScopedApps.Count > 0 ? 1 : 0);
        await ExportAsync(runId, ExportKind.ExtraTable, 0, plan.ExtraTables.Count);

        var refused = await new RequestCloneActivity(_stack.Services).ExecuteAsync(run);

        Assert.Equal(CloneRequestKind.Refused, refused.Kind);
        Assert.Null(refused.Number);
        Assert.Contains($"{plan.ExportItems - 1} verified exports of the {plan.ExportItems}", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(_stack.Simulator["prod"].GetRecords("sn_instance_clone_request"));
        var gathered = await RunManifest.ReadAsync(_stack.Services.Artifacts, runId, CancellationToken.None);
        Assert.Equal(plan.ExportItems - 1, gathered.Items.Count);
        Assert.DoesNotContain(gathered.Items, i => i.Kind == ExportKind.LocalSet && i.Index == plan.LocalSets.Count - 1);

        // The last set verified: the manifest is complete and the clone is requested, once.
        await ExportAsync(runId, ExportKind.LocalSet, plan.LocalSets.Count - 1, 1);
        var requested = await new RequestCloneActivity(_stack.Services).ExecuteAsync(run);

        Assert.Equal(CloneRequestKind.Created, requested.Kind);
        Assert.False(string.IsNullOrEmpty(requested.Number));
        Assert.Single(_stack.Simulator["prod"].GetRecords("sn_instance_clone_request"));
        var manifest = await RunManifest.ReadAsync(_stack.Services.Artifacts, runId, CancellationToken.None);
        Assert.Equal(plan.ExportItems, manifest.Items.Count);
        Assert.All(manifest.Items, i => Assert.True(i.Verified, i.Error));
    }

    private async Task ExportAsync(string runId, ExportKind kind, int start, int count)
    {
        if (count == 0)
        {
            return;
        }

        var result = await new ExportActivity(_stack.Services).ExecuteAsync(new ExportChunk(runId, "test", kind, start, count));
        Assert.Equal((count, 0), (result.Verified, result.Failed));
    }
}
