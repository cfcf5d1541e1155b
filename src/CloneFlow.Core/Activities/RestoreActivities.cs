using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Batch;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Core.Activities;

/// <summary>What a restore chunk achieved.</summary>
/// <param name="Inserted">Records inserted now.</param>
/// <param name="AlreadyPresent">Records found already there (an earlier attempt, or unchanged by the clone).</param>
/// <param name="Failed">Records refused.</param>
/// <param name="Failures">The first few refusals, for people.</param>
public sealed record RestoreChunkResult(long Inserted, long AlreadyPresent, long Failed, IReadOnlyList<string> Failures);

/// <summary>
/// Re-inserts a chunk of verified exports on the target (runbook steps 13-15): remote sets as they
/// were (state back to loaded), local sets as remote sets under the run's batch base, scoped-app and
/// extra-table rows. Streams each export and inserts in batches, keeping every sys_id; rows already
/// there are not written again, so a retried chunk duplicates nothing.
/// </summary>
public sealed class RestoreActivity(RunServices services) : CloneFlowActivity<ExportChunk, RestoreChunkResult>
{
    /// <summary>Items of one chunk restored side by side.</summary>
    public const int ItemsAtOnce = 5;

    /// <inheritdoc />
    public override async Task<RestoreChunkResult> ExecuteAsync(ExportChunk input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var client = await services.Clients.GetAsync(services.Target(input.Target).Instance, cancellationToken);
        var container = RestoreIds.ContainerFor(input.RunId);
        var totals = new Totals();
        var manifest = await RunManifest.ReadAsync(services.Artifacts, input.RunId, cancellationToken);

        // The chunk's items are independent (each set goes in before its own updates), so several go in
        // side by side, as they are exported; the client's request limit bounds the calls in flight.
        await Parallel.ForEachAsync(
            Enumerable.Range(input.Start, input.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ItemsAtOnce, CancellationToken = cancellationToken },
            (index, token) => RestoreItemAsync(input, manifest.Find(input.Kind, index), index, client, container, totals, token));

        return new RestoreChunkResult(totals.Inserted, totals.AlreadyPresent, totals.Failed, totals.Failures.Take(5).ToList());
    }

    private async ValueTask RestoreItemAsync(ExportChunk input, ExportItem? item, int index, ServiceNowClient client, string container, Totals totals, CancellationToken token)
    {
        if (item is not { Verified: true })
        {
            throw new InvalidOperationException($"Export {input.Kind} #{index} of run {input.RunId} is not verified; it cannot be restored.");
        }

        await using var stream = await services.Artifacts.OpenReadAsync(input.RunId, item.Blob, token);
        var pending = new Dictionary<string, List<IReadOnlyDictionary<string, string?>>>(StringComparer.Ordinal);
        await foreach (var record in new UpdateSetXmlReader(stream).ReadAsync(token))
        {
            var values = record.Fields.ToDictionary(f => f.Name, f => (string?)f.Value, StringComparer.Ordinal);
            if (record is RemoteUpdateSetRecord)
            {
                values["state"] = "loaded";
                if (input.Kind == ExportKind.LocalSet)
                {
                    values["parent"] = string.IsNullOrEmpty(values.GetValueOrDefault("parent")) ? container : values["parent"];
                    values["remote_base_update_set"] = container;
                }

                // The set goes in before its updates, which reference it.
                totals.Add(await client.EnsureInsertedAsync(record.Table, [values], cancellationToken: token));
                continue;
            }

            if (!pending.TryGetValue(record.Table, out var rows))
            {
                pending[record.Table] = rows = [];
            }

            rows.Add(values);
            if (rows.Count >= 50)
            {
                totals.Add(await client.EnsureInsertedAsync(record.Table, rows, cancellationToken: token));
                rows.Clear();
            }
        }

        foreach (var (table, rows) in pending.Where(p => p.Value.Count > 0))
        {
            totals.Add(await client.EnsureInsertedAsync(table, rows, cancellationToken: token));
        }
    }

    private sealed class Totals
    {
        private readonly Lock _gate = new();

        public long Inserted { get; private set; }

        public long AlreadyPresent { get; private set; }

        public long Failed { get; private set; }

        public List<string> Failures { get; } = [];

        public void Add(IReadOnlyList<InsertOutcome> outcomes)
        {
            // Items of a chunk are restored side by side.
            lock (_gate)
            {
                foreach (var outcome in outcomes)
                {
                    switch (outcome.Status)
                    {
                        case InsertStatus.Inserted:
                            Inserted++;
                            break;
                        case InsertStatus.AlreadyPresent:
                            AlreadyPresent++;
                            break;
                        default:
                            Failed++;
                            Failures.Add($"{outcome.SysId}: {outcome.Error}");
                            break;
                    }
                }
            }
        }
    }
}

/// <summary>Creates the run's batch base: every restored local set is previewed and committed under it.</summary>
public sealed class CreateRestoreBatchActivity(RunServices services) : CloneFlowActivity<RunRef, string>
{
    /// <summary>The name of the batch base and of the local set its commit creates.</summary>
    public static string ContainerName(string runId) => $"CloneFlow restore {runId}";

    /// <inheritdoc />
    public override async Task<string> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var client = await services.Clients.GetAsync(services.Target(input.Target).Instance, CancellationToken.None);
        var container = RestoreIds.ContainerFor(input.RunId);
        var outcome = await client.EnsureInsertedAsync(RemoteUpdateSetRecord.TableName,
        [
            new Dictionary<string, string?>
            {
                ["sys_id"] = container,
                ["name"] = ContainerName(input.RunId),
                ["state"] = "loaded",
                ["application"] = "global",
                ["parent"] = string.Empty,
                ["remote_base_update_set"] = string.Empty,
                ["description"] = "Batch base CloneFlow created to restore in-flight work after a clone; its local set is set to ignore so it is never promoted.",
            },
        ]);
        return outcome[0].Status == InsertStatus.Failed
            ? throw new InvalidOperationException($"The restore batch could not be created: {outcome[0].Error}")
            : container;
    }
}

/// <summary>A scoped app of the plan and the update set exported for it.</summary>
/// <param name="Index">The app's place in the plan (its export's index).</param>
/// <param name="App">The app's sys_id.</param>
/// <param name="Route">The route it takes (<see cref="AppRoutes"/>).</param>
/// <param name="SysId">The exported remote set's sys_id on the target, once inserted.</param>
/// <param name="Name">Its name (the local set its commit creates has it too).</param>
public sealed record AppSetInfo(int Index, string App, string Route, string SysId, string Name);

/// <summary>The plan's scoped apps with the update sets that carry them, in plan order.</summary>
public sealed class AppSetsActivity(RunServices services) : CloneFlowActivity<RunRef, IReadOnlyList<AppSetInfo>>
{
    /// <inheritdoc />
    public override async Task<IReadOnlyList<AppSetInfo>> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, CancellationToken.None)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        return plan.ScopedApps
            .Select((app, index) => new AppSetInfo(index, app.SysId, app.Route, RestoreIds.AppSetFor(input.RunId, app.SysId), app.RestoreSetName(input.RunId)))
            .ToList();
    }
}

/// <summary>
/// Which of the plan's apps on the source-control route ServiceNow's post-clone import has brought back: the
/// app record and every one of its planned tables are there (their rows are CloneFlow's to re-insert).
/// </summary>
public sealed class AppsImportedActivity(RunServices services) : CloneFlowActivity<RunRef, IReadOnlyList<string>>
{
    /// <inheritdoc />
    public override async Task<IReadOnlyList<string>> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var client = await services.Clients.GetAsync(plan.TargetInstance, cancellationToken);
        var back = new List<string>();
        foreach (var app in plan.ScopedApps.Where(a => a.Route == AppRoutes.SourceControl))
        {
            if (await client.GetRecordAsync("sys_app", app.SysId, ["sys_id"], cancellationToken) is null)
            {
                continue;
            }

            var tables = app.Tables.Select(t => t.Table).ToList();
            var present = tables.Count == 0 ? 0 : await client.CountAsync("sys_db_object", TableQuery.All.AndIn("name", tables), cancellationToken);
            if (present >= tables.Count)
            {
                back.Add(app.SysId);
            }
        }

        return back;
    }
}

/// <summary>Shared lookups of what a restore produced.</summary>
internal static class RestoredSets
{
    /// <summary>
    /// Sets looked up, updated or compared at once after the restore: each is a few independent calls,
    /// so they go side by side within the client's request limit (one after another this took about
    /// 0.2 s per set at 100 ms latency).
    /// </summary>
    public const int SetsAtOnce = 8;

    /// <summary>The local set a commit created for <paramref name="name"/>, newest first.</summary>
    public static async Task<ServiceNowRecord?> LocalSetAsync(ServiceNowClient client, string name, CancellationToken cancellationToken)
    {
        ServiceNowRecord? newest = null;
        await foreach (var row in client.GetRecordsAsync("sys_update_set", TableQuery.Where("name", name), ["sys_id", "name", "state", "parent", "sys_created_on"], cancellationToken: cancellationToken))
        {
            if (newest is null || string.CompareOrdinal(row.Get("sys_created_on"), newest.Get("sys_created_on")) > 0)
            {
                newest = row;
            }
        }

        return newest;
    }
}

/// <summary>How many local sets got their states back.</summary>
/// <param name="Restored">Sets set back to their state before the clone.</param>
/// <param name="NotFound">Planned sets the commit did not re-create.</param>
public sealed record StatesResult(int Restored, int NotFound);

/// <summary>
/// Puts developers' sets back as they were (in progress stays in progress, a set that had no parent in
/// flight leaves the restore container's hierarchy) and sets the batch container, and the sets that carried
/// the scoped apps, to ignore.
/// </summary>
public sealed class RestoreStatesActivity(RunServices services) : CloneFlowActivity<RunRef, StatesResult>
{
    /// <inheritdoc />
    public override async Task<StatesResult> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var client = await services.Clients.GetAsync(plan.TargetInstance, cancellationToken);
        int restored = 0, notFound = 0;
        var container = plan.LocalSets.Count > 0 ? await RestoredSets.LocalSetAsync(client, CreateRestoreBatchActivity.ContainerName(input.RunId), cancellationToken) : null;

        // Each set is a lookup and at most one update, independent of the others.
        await Parallel.ForEachAsync(plan.LocalSets, new ParallelOptions { MaxDegreeOfParallelism = RestoredSets.SetsAtOnce, CancellationToken = cancellationToken }, async (set, token) =>
        {
            var local = await RestoredSets.LocalSetAsync(client, set.Name, token);
            if (local is null)
            {
                Interlocked.Increment(ref notFound);
                return;
            }

            var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (local.Get("state") != set.State)
            {
                changes["state"] = set.State;
            }

            // The container only held the batch together for preview and commit: it was nobody's parent before.
            if (container is not null && local.Get("parent") == container.SysId && string.IsNullOrEmpty(set.Parent))
            {
                changes["parent"] = string.Empty;
            }

            if (changes.Count > 0)
            {
                await client.UpdateAsync("sys_update_set", local.SysId, changes, token);
            }

            Interlocked.Increment(ref restored);
        });

        if (container is not null)
        {
            await client.UpdateAsync("sys_update_set", container.SysId, new Dictionary<string, string?> { ["state"] = "ignore" }, cancellationToken);
        }

        // The local sets the apps' commits created only carried them across: never promoted, never exported again.
        foreach (var app in plan.ScopedApps)
        {
            if (await RestoredSets.LocalSetAsync(client, app.RestoreSetName(input.RunId), cancellationToken) is { } carried && carried.Get("state") != "ignore")
            {
                await client.UpdateAsync("sys_update_set", carried.SysId, new Dictionary<string, string?> { ["state"] = "ignore" }, cancellationToken);
            }
        }

        return new StatesResult(restored, notFound);
    }
}
