using System.Text.Json.Serialization;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;
using CloneFlow.Core.Text;

namespace CloneFlow.Core.Activities;

/// <summary>One set before the clone and after the restore.</summary>
/// <param name="Name">The set.</param>
/// <param name="Kind"><c>local</c> or <c>remote</c>.</param>
/// <param name="StateBefore">State before the clone.</param>
/// <param name="StateAfter">State now (empty when the set is not there).</param>
/// <param name="UpdatesBefore">Updates exported.</param>
/// <param name="UpdatesAfter">Updates found on the target.</param>
/// <param name="Missing">Update names exported but not found.</param>
/// <param name="Changed">Update names found with a different payload hash.</param>
public sealed record SetVerification(string Name, string Kind, string StateBefore, string StateAfter, long UpdatesBefore, long UpdatesAfter, IReadOnlyList<string> Missing, IReadOnlyList<string> Changed)
{
    /// <summary>The parent set's name before the clone (empty: none).</summary>
    public string ParentBefore { get; init; } = string.Empty;

    /// <summary>The parent set's name now (empty: none).</summary>
    public string ParentAfter { get; init; } = string.Empty;

    /// <summary>The set's application (scope sys_id, or <c>global</c>).</summary>
    public string Application { get; init; } = string.Empty;

    /// <summary>True when the application resolves to a scope on the target (always for <c>global</c>).</summary>
    public bool ApplicationFound { get; init; } = true;

    /// <summary>True when the set came back as it was: every update, the same state, parent and an existing scope.</summary>
    [JsonIgnore]
    public bool Identical => Missing.Count == 0 && Changed.Count == 0 && StateAfter == StateBefore && ParentAfter == ParentBefore && ApplicationFound;
}

/// <summary>A scoped app in development before the clone and after the restore, as the target's Table API shows it.</summary>
/// <param name="Name">The app.</param>
/// <param name="Scope">Its scope.</param>
/// <param name="Route">The route it took (<see cref="AppRoutes"/>).</param>
/// <param name="VersionBefore">Its version before the clone.</param>
/// <param name="VersionAfter">Its version now (empty: the app is not there).</param>
/// <param name="ScopeFound">True when its sys_scope row is there (sys_app extends sys_scope).</param>
/// <param name="FilesBefore">Its files (sys_metadata records in its scope) before the clone.</param>
/// <param name="MissingFiles">Files not there now (sys_ids, the first few).</param>
/// <param name="MissingFileCount">How many files are not there now.</param>
/// <param name="Tables">Its tables.</param>
public sealed record AppVerification(string Name, string Scope, string Route, string VersionBefore, string VersionAfter, bool ScopeFound, long FilesBefore, IReadOnlyList<string> MissingFiles, long MissingFileCount, IReadOnlyList<TableVerification> Tables)
{
    /// <summary>True when the app is back whole.</summary>
    [JsonIgnore]
    public bool Identical => ScopeFound && VersionAfter == VersionBefore && MissingFileCount == 0 && Tables.All(t => t.Identical);
}

/// <summary>A table carried across (an app's, or an extra table): its rows and, for an app's table, its dictionary.</summary>
/// <param name="Table">The table.</param>
/// <param name="Exists">True when the table is there (its sys_db_object row).</param>
/// <param name="ColumnsBefore">Dictionary entries before the clone (0 for extra tables: not compared).</param>
/// <param name="ColumnsAfter">Dictionary entries now.</param>
/// <param name="RowsExported">Rows exported.</param>
/// <param name="RowsMissing">Exported rows not there now.</param>
public sealed record TableVerification(string Table, bool Exists, long ColumnsBefore, long ColumnsAfter, long RowsExported, long RowsMissing)
{
    /// <summary>True when the table and every exported row is there, with its dictionary.</summary>
    [JsonIgnore]
    public bool Identical => Exists && ColumnsAfter >= ColumnsBefore && RowsMissing == 0;
}

/// <summary>The comparison of the target with the exports (<c>verification.json</c>).</summary>
public sealed record RestoreVerification
{
    /// <summary>Each exported set.</summary>
    public IReadOnlyList<SetVerification> Sets { get; init; } = [];

    /// <summary>Each scoped app in development.</summary>
    public IReadOnlyList<AppVerification> Apps { get; init; } = [];

    /// <summary>Each extra table.</summary>
    public IReadOnlyList<TableVerification> ExtraTables { get; init; } = [];
}

/// <summary>The verification in counts (the lists are in <c>verification.json</c>).</summary>
/// <param name="Sets">Sets compared.</param>
/// <param name="Identical">Sets restored with every update, state, parent and scope as before.</param>
/// <param name="Missing">Updates missing in all sets.</param>
/// <param name="Changed">Updates changed in all sets.</param>
public sealed record VerificationSummary(int Sets, int Identical, long Missing, long Changed)
{
    /// <summary>Scoped apps compared.</summary>
    public int Apps { get; init; }

    /// <summary>Apps back whole.</summary>
    public int AppsIdentical { get; init; }

    /// <summary>Extra tables compared.</summary>
    public int ExtraTables { get; init; }

    /// <summary>Exported extra-table rows not on the target.</summary>
    public long RowsMissing { get; init; }

    /// <summary>True when every set and app came back exactly, with every extra-table row.</summary>
    public bool Verified => Sets == Identical && Apps == AppsIdentical && RowsMissing == 0;
}

/// <summary>
/// Compares the target after the restore with the plan and the verified exports (runbook step 17), through
/// the Table API: each set present with the same update names, payload hashes, state and parent, its scope
/// resolving; each app in development back with its version, files, tables, dictionary and rows; every
/// extra-table row there.
/// </summary>
public sealed class VerifyRestoreActivity(RunServices services) : CloneFlowActivity<RunRef, VerificationSummary>
{
    /// <summary>The verification list's blob name.</summary>
    public const string VerificationBlob = "verification.json";

    /// <inheritdoc />
    public override async Task<VerificationSummary> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var client = await services.Clients.GetAsync(plan.TargetInstance, cancellationToken);
        var manifest = await RunManifest.ReadAsync(services.Artifacts, input.RunId, cancellationToken);
        var local = new SetVerification[plan.LocalSets.Count];
        var remote = new SetVerification[plan.RemoteSets.Count];
        var restoredLocal = new ServiceNowRecord?[plan.LocalSets.Count];

        // Sets are compared side by side (each a few calls: the export read back, the set, its updates);
        // the client's request limit still bounds the calls in flight. The list keeps the plan's order.
        var sideBySide = new ParallelOptions { MaxDegreeOfParallelism = RestoredSets.SetsAtOnce, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, local.Length), sideBySide, async (index, token) =>
        {
            var set = plan.LocalSets[index];
            var item = ItemOf(manifest, ExportKind.LocalSet, index);
            var expected = await ExpectedAsync(input.RunId, item, token);
            var restored = restoredLocal[index] = await RestoredSets.LocalSetAsync(client, set.Name, token);
            var actual = restored is null ? [] : await ActualAsync(client, TableQuery.Where("update_set", restored.SysId), token);
            local[index] = Compare(set.Name, "local", set.State, restored?.Get("state") ?? string.Empty, expected, actual) with { Application = set.Application };
        });

        await Parallel.ForEachAsync(Enumerable.Range(0, remote.Length), sideBySide, async (index, token) =>
        {
            var set = plan.RemoteSets[index];
            var item = ItemOf(manifest, ExportKind.RemoteSet, index);
            var expected = await ExpectedAsync(input.RunId, item, token);
            var found = await client.GetRecordAsync(RemoteUpdateSetRecord.TableName, set.SysId, ["sys_id", "state", "parent"], token);
            var actual = found is null ? [] : await ActualAsync(client, TableQuery.Where("remote_update_set", set.SysId), token);

            // The state before the clone as it was: a previewed set is previewed again after its re-insertion.
            remote[index] = Compare(set.Name, "remote", set.State, found?.Get("state") ?? string.Empty, expected, actual) with
            {
                Application = set.Application,
                ParentBefore = PlannedSets.NameOf(plan.RemoteSets, set.Parent),
                ParentAfter = found is null ? string.Empty : PlannedSets.NameOf(plan.RemoteSets, found.Get("parent") ?? string.Empty),
            };
        });

        // Parents by name: a committed set is a new local set, so its parent is the new set of the parent's name.
        var namesAfter = restoredLocal.Where(r => r is not null).ToDictionary(r => r!.SysId, r => r!.Get("name") ?? string.Empty, StringComparer.Ordinal);
        var scopes = await PlanActivity.ExistingAsync(client, "sys_scope", local.Concat(remote).Select(s => s.Application).Where(a => a is { Length: > 0 } and not "global").Distinct(StringComparer.Ordinal), cancellationToken);
        for (var index = 0; index < local.Length; index++)
        {
            var parentAfter = restoredLocal[index]?.Get("parent") ?? string.Empty;
            local[index] = local[index] with
            {
                ParentBefore = PlannedSets.NameOf(plan.LocalSets, plan.LocalSets[index].Parent),
                ParentAfter = parentAfter.Length == 0 ? string.Empty : namesAfter.GetValueOrDefault(parentAfter) ?? $"(not a restored set: {parentAfter})",
            };
        }

        var sets = local.Concat(remote).Select(s => s with { ApplicationFound = s.Application is "" or "global" || scopes.Contains(s.Application) }).ToList();
        var apps = new List<AppVerification>();
        foreach (var app in plan.ScopedApps)
        {
            apps.Add(await AppAsync(client, app, manifest, plan, input.RunId, cancellationToken));
        }

        var extra = new List<TableVerification>();
        for (var index = 0; index < plan.ExtraTables.Count; index++)
        {
            extra.Add(await TableAsync(client, plan.ExtraTables[index].Table, 0, ItemOf(manifest, ExportKind.ExtraTable, index), input.RunId, cancellationToken));
        }

        await services.Artifacts.WriteJsonAsync(input.RunId, VerificationBlob, new RestoreVerification { Sets = sets, Apps = apps, ExtraTables = extra }, cancellationToken);
        return new VerificationSummary(sets.Count, sets.Count(s => s.Identical), sets.Sum(r => (long)r.Missing.Count), sets.Sum(r => (long)r.Changed.Count))
        {
            Apps = apps.Count,
            AppsIdentical = apps.Count(a => a.Identical),
            ExtraTables = extra.Count,
            RowsMissing = extra.Sum(t => t.RowsMissing),
        };
    }

    private async Task<AppVerification> AppAsync(ServiceNowClient client, PlannedApp app, RunManifest manifest, RunPlan plan, string runId, CancellationToken cancellationToken)
    {
        var record = await client.GetRecordAsync("sys_app", app.SysId, ["sys_id", "version"], cancellationToken);
        var scope = await client.GetRecordAsync("sys_scope", app.SysId, ["sys_id"], cancellationToken);
        var present = await PlanActivity.ExistingAsync(client, "sys_metadata", app.Files, cancellationToken);
        var missing = app.Files.Where(f => !present.Contains(f)).ToList();
        var tables = new List<TableVerification>();
        var appTables = plan.AppTables;
        for (var index = 0; index < appTables.Count; index++)
        {
            if (appTables[index].App == app.SysId)
            {
                tables.Add(await TableAsync(client, appTables[index].Table, appTables[index].Columns, ItemOf(manifest, ExportKind.AppTable, index), runId, cancellationToken));
            }
        }

        // The route it really took: an app on the source-control route whose carrier set was committed fell back to it.
        var route = app.Route == AppRoutes.SourceControl && await RestoredSets.LocalSetAsync(client, app.RestoreSetName(runId), cancellationToken) is not null
            ? $"{AppRoutes.UpdateSet} (the post-clone import did not bring it back in time)"
            : app.Route;
        return new AppVerification(app.Name, app.Scope, route, app.Version, record?.Get("version") ?? string.Empty, scope is not null, app.Files.Count, missing.Take(10).ToList(), missing.Count, tables);
    }

    /// <summary>The table exists, its dictionary is complete, and every exported row is there (by sys_id).</summary>
    private async Task<TableVerification> TableAsync(ServiceNowClient client, string table, long columnsBefore, ExportItem item, string runId, CancellationToken cancellationToken)
    {
        var exists = await client.CountAsync("sys_db_object", TableQuery.Where("name", table), cancellationToken) > 0;
        var columns = columnsBefore > 0 ? await client.CountAsync("sys_dictionary", TableQuery.Where("name", table), cancellationToken) : 0;
        var exported = new List<string>();
        await using (var stream = await services.Artifacts.OpenReadAsync(runId, item.Blob, cancellationToken))
        {
            await foreach (var record in new UpdateSetXmlReader(stream).ReadAsync(cancellationToken))
            {
                exported.Add(record.Fields.FirstOrDefault(f => f.Name == "sys_id")?.Value ?? string.Empty);
            }
        }

        var found = exists ? await PlanActivity.ExistingAsync(client, table, exported, cancellationToken) : [];
        return new TableVerification(table, exists, columnsBefore, columns, exported.Count, exported.Count(id => !found.Contains(id)));
    }

    private static SetVerification Compare(string name, string kind, string stateBefore, string stateAfter, Dictionary<string, string?> expected, Dictionary<string, string?> actual)
    {
        var missing = expected.Keys.Where(k => !actual.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var changed = expected.Where(e => actual.TryGetValue(e.Key, out var hash) && hash != e.Value).Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        return new SetVerification(name, kind, stateBefore, stateAfter, expected.Count, actual.Count, missing, changed);
    }

    private static ExportItem ItemOf(RunManifest manifest, ExportKind kind, int index) =>
        manifest.Find(kind, index) ?? throw new InvalidOperationException($"Run {manifest.RunId} has no manifest entry for {kind} #{index}.");

    /// <summary>Update name to payload hash, from the verified export.</summary>
    private async Task<Dictionary<string, string?>> ExpectedAsync(string runId, ExportItem item, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using var stream = await services.Artifacts.OpenReadAsync(runId, item.Blob, cancellationToken);
        await UpdateSetFileScanner.ScanAsync(stream, (update, _) =>
        {
            hashes[update.Name ?? update.SysId ?? string.Empty] = update.PayloadSha256;
            return ValueTask.CompletedTask;
        }, cancellationToken);
        return hashes;
    }

    /// <summary>Update name to payload hash, as the target has them now.</summary>
    private static async Task<Dictionary<string, string?>> ActualAsync(ServiceNowClient client, TableQuery query, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var row in client.GetRecordsAsync("sys_update_xml", query, ["sys_id", "name", "payload"], pageSize: 100, cancellationToken: cancellationToken))
        {
            hashes[row.Get("name") ?? row.SysId] = row.Get("payload") is { } payload ? TextSha256.Hex(payload) : null;
        }

        return hashes;
    }
}
