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
        await ExportAsync(runId, ExportKind.ScopedApps, 0, plan.ScopedApps.Count);
        await ExportAsync(runId, ExportKind.AppTable, 0, plan.AppTables.Count);
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

    [Fact]
    public async Task Once_the_runs_clone_exists_the_plan_and_the_exports_are_never_taken_again_and_the_request_is_found()
    {
        var (runId, plan) = await _stack.PlanAsync();
        var run = new RunRef(runId, "test");
        Assert.Null((await new FindCloneRequestActivity(_stack.Services).ExecuteAsync(run)).Number);
        await ExportEverythingAsync(runId, plan);
        var requested = await new RequestCloneActivity(_stack.Services).ExecuteAsync(run);
        Assert.Equal(CloneRequestKind.Created, requested.Kind);

        // As after lost history: the run asks again, and the instance (not the run's bookkeeping) answers.
        await new Azure.Storage.Blobs.BlobContainerClient(_stack.Azurite.ConnectionString, "cloneflow-runs").GetBlobClient($"runs/{runId}/clone-request.json").DeleteAsync();
        var found = await new FindCloneRequestActivity(_stack.Services).ExecuteAsync(run);
        Assert.Equal(requested.Number, found.Number);
        Assert.True(found.ExportsComplete);
        Assert.Equal(plan.ExportItems, found.VerifiedExports);

        var replan = await Assert.ThrowsAsync<CloneAlreadyRequestedException>(() => new PlanActivity(_stack.Services).ExecuteAsync(run));
        Assert.Equal(requested.Number, replan.Number);
        await Assert.ThrowsAsync<CloneAlreadyRequestedException>(() => new ExportActivity(_stack.Services).ExecuteAsync(new ExportChunk(runId, "test", ExportKind.LocalSet, 0, 1)));
        Assert.Equal(plan.LocalSets.Count, (await _stack.Services.Artifacts.ReadJsonAsync<RunPlan>(runId, PlanActivity.PlanBlob, CancellationToken.None))!.LocalSets.Count);
        Assert.Single(_stack.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task The_manual_drivers_request_is_its_recorded_number_or_once_every_export_is_verified_an_open_request_for_the_target()
    {
        var (runId, plan) = await _stack.PlanAsync();
        var manual = new Core.Runtime.RunServices(ManualConfiguration(), _stack.Services.Clients, _stack.Services.Artifacts);
        var run = new RunRef(runId, "test");
        var prod = _stack.Simulator["prod"];
        // A person's request in the console, before the run could have asked for it: not the run's.
        prod.InsertRecord("sn_instance_clone_request", new Dictionary<string, string> { ["number"] = "CLN0000777", ["source_instance"] = "prod", ["target_instance"] = "test", ["state"] = "requested" });
        Assert.Null((await new FindCloneRequestActivity(manual).ExecuteAsync(run)).Number);

        // Every export verified: the run may have asked, so an open request for the target cannot be ruled out.
        await ExportEverythingAsync(runId, plan);
        Assert.Equal("CLN0000777", (await new FindCloneRequestActivity(manual).ExecuteAsync(run)).Number);

        // The number a person gave is the run's, whatever else is open.
        await new RecordCloneRequestActivity(manual).ExecuteAsync(new CloneRef(runId, "test", "CLN0099999"));
        Assert.Equal("CLN0099999", (await new FindCloneRequestActivity(manual).ExecuteAsync(run)).Number);
    }

    [Fact]
    public async Task A_refused_clone_request_carries_the_instances_own_reason()
    {
        var (runId, plan) = await _stack.PlanAsync();
        await ExportEverythingAsync(runId, plan);
        var configuration = _stack.Services.Configuration;
        var renamed = configuration with { Instances = new Dictionary<string, Core.Configuration.InstanceConfiguration>(configuration.Instances) { ["test"] = configuration.Instances["test"] with { CloneName = "nowhere" } } };

        var refused = await new RequestCloneActivity(new Core.Runtime.RunServices(renamed, _stack.Services.Clients, _stack.Services.Artifacts)).ExecuteAsync(new RunRef(runId, "test"));

        Assert.Equal(CloneRequestKind.Refused, refused.Kind);
        Assert.Contains("Unknown target instance 'nowhere'", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(_stack.Simulator["prod"].GetRecords("sn_instance_clone_request"));
    }

    private Core.Configuration.CloneFlowConfiguration ManualConfiguration()
    {
        var configuration = _stack.Services.Configuration;
        var target = configuration.Targets["test"];
        return configuration with { Targets = new Dictionary<string, Core.Configuration.TargetConfiguration>(configuration.Targets) { ["test"] = target with { Cloning = target.Cloning with { Driver = "manual" } } } };
    }

    private async Task ExportEverythingAsync(string runId, RunPlan plan)
    {
        await ExportAsync(runId, ExportKind.LocalSet, 0, plan.LocalSets.Count);
        await ExportAsync(runId, ExportKind.RemoteSet, 0, plan.RemoteSets.Count);
        await ExportAsync(runId, ExportKind.Plugins, 0, 1);
        await ExportAsync(runId, ExportKind.ScopedApps, 0, plan.ScopedApps.Count);
        await ExportAsync(runId, ExportKind.AppTable, 0, plan.AppTables.Count);
        await ExportAsync(runId, ExportKind.ExtraTable, 0, plan.ExtraTables.Count);
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
