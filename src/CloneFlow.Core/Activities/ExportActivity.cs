using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Core.Activities;

/// <summary>
/// Exports and verifies a chunk of the plan's items of one kind (runbook step 6). Each item's outcome
/// is stored: a verified one with its export's verified mark, any other as a manifest entry of its own;
/// an item verified by an earlier attempt is not exported again.
/// Every pending item of the chunk is under way at once; how many of them read from ServiceNow at a
/// time is the client's limit of long reads (<see cref="ServiceNowClient.TakeReadPlaceAsync"/>, shared
/// by all chunks exporting side by side), and the others are being read back and verified, or wait for
/// a place. The set headers of the chunk are read in one call, side by side with the first pages.
/// </summary>
public sealed class ExportActivity(RunServices services) : CloneFlowActivity<ExportChunk, ExportChunkResult>
{
    /// <summary>
    /// How many ways a chunk's items split the <see cref="Exporter.MaxPartitions"/> sys_id ranges one export may
    /// read at once (at most): a lone large set reads up to eight ranges, each set of a chunk of eight or more
    /// one (the read places already keep more readers than request slots; more ranges would only hold more
    /// answers open at once, and each costs a partly filled last page).
    /// </summary>
    private const int RangeShares = 8;

    /// <inheritdoc />
    public override async Task<ExportChunkResult> ExecuteAsync(ExportChunk input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        // The plan, and what the run already stored for this kind, seen in two listings, read side by side
        // (every export of the phase waits for them). The exports: their versions, which the writes below
        // replace (or create) without a call per blob first, and for a verified export its manifest item,
        // stored with its verified mark. The manifest entries: items stored on their own (not verified, or
        // kept by an earlier version). An item verified by an earlier attempt is done.
        var planRead = services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken);
        var exportListing = services.Artifacts.ListJsonAsync<ExportItem>(input.RunId, ExportBlobPrefix(input.Kind), readUnlisted: false, cancellationToken);
        var entryListing = services.Artifacts.ListJsonAsync<ExportItem>(input.RunId, ExportItem.ManifestPrefix(input.Kind), cancellationToken);
        // Never read the target again once the run's clone exists (its history may have lost the request).
        var notCloned = OwnCloneRequest.ThrowIfRequestedAsync(services, input.RunId, input.Target, cancellationToken);
        await Task.WhenAll(planRead, exportListing, entryListing, notCloned);
        var (exports, entries) = (await exportListing, await entryListing);
        var plan = await planRead ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var target = await services.Clients.GetAsync(plan.TargetInstance, cancellationToken);
        var planned = plan.LocalSets.ToDictionary(s => s.SysId, StringComparer.Ordinal);
        var done = RunManifest.Gather(exports, entries)
            .Where(item => item.Verified && item.Kind == input.Kind)
            .Select(item => item.Index)
            .ToHashSet();
        var indexes = Enumerable.Range(input.Start, input.Count).ToList();
        var pending = indexes.Where(index => !done.Contains(index)).ToList();
        var verified = indexes.Count - pending.Count;

        if (pending.Count == 0)
        {
            return new ExportChunkResult(verified, 0, []);
        }

        var headers = HeadersAsync(input.Kind, plan, pending, target, cancellationToken);
        var stored = exports.ToDictionary(export => export.Key, export => export.Value.Version, StringComparer.Ordinal);
        var appTables = plan.AppTables;
        var exporter = new Exporter(services.Artifacts, services.Time, stored, Math.Max(1, Exporter.MaxPartitions / Math.Min(RangeShares, pending.Count)));
        var items = await Task.WhenAll(pending.Select(async index =>
        {
            var outcome = input.Kind switch
            {
                ExportKind.LocalSet => await exporter.LocalSetAsync(input.RunId, index, plan.LocalSets[index], planned, target, HeaderOf(plan.LocalSets[index].SysId), cancellationToken),
                ExportKind.RemoteSet => await exporter.RemoteSetAsync(input.RunId, index, plan.RemoteSets[index], target, HeaderOf(plan.RemoteSets[index].SysId), cancellationToken),
                ExportKind.Plugins => await exporter.JsonListAsync(input.RunId, ExportKind.Plugins, "exports/plugins.json", plan.ActivePlugins, cancellationToken),
                ExportKind.ScopedApps => await exporter.AppSetAsync(input.RunId, index, plan.ScopedApps[index], target, cancellationToken),
                ExportKind.AppTable => await exporter.RowsAsync(input.RunId, ExportKind.AppTable, index, appTables[index].Table, $"exports/app-tables/{index:D3}-{appTables[index].Table}.xml", target, appTables[index].Table, TableQuery.All, appTables[index].Rows, cancellationToken),
                ExportKind.ExtraTable => await exporter.RowsAsync(input.RunId, ExportKind.ExtraTable, index, plan.ExtraTables[index].Table, $"exports/tables/{index:D3}-{plan.ExtraTables[index].Table}.xml", target, plan.ExtraTables[index].Table, PlanActivity.Raw(plan.ExtraTables[index].Query), plan.ExtraTables[index].Rows, cancellationToken),
                _ => throw new InvalidOperationException($"Unknown export kind {input.Kind}."),
            };
            if (!outcome.Listed)
            {
                // Not stored with a verified export (it failed, or its item is too large to go with it): an entry of its own.
                var entry = ExportItem.ManifestName(input.Kind, index);
                await services.Artifacts.WriteListedJsonAsync(input.RunId, entry, outcome.Item, entries.GetValueOrDefault(entry)?.Version, cancellationToken);
            }

            return outcome.Item;
        }));

        // Observed even when no item needed it (their own failure came first).
        await headers;
        var failures = items.Where(i => !i.Verified).Select(i => $"{i.Name}: {i.Error}").ToList();
        return new ExportChunkResult(verified + items.Length - failures.Count, failures.Count, failures.Take(5).ToList());

        async Task<ServiceNowRecord?> HeaderOf(string sysId) => (await headers).GetValueOrDefault(sysId);
    }

    /// <summary>The folder (or name) under which a kind's exports are stored, relative to the run.</summary>
    internal static string ExportBlobPrefix(ExportKind kind) => kind switch
    {
        ExportKind.LocalSet => "exports/local/",
        ExportKind.RemoteSet => "exports/remote/",
        ExportKind.Plugins => "exports/plugins.json",
        ExportKind.ScopedApps => "exports/apps/",
        ExportKind.AppTable => "exports/app-tables/",
        ExportKind.ExtraTable => "exports/tables/",
        _ => throw new InvalidOperationException($"Unknown export kind {kind}."),
    };

    /// <summary>The header rows of the chunk's pending update sets, read in one call; a set missing here is looked up again (and reported) by the exporter.</summary>
    private static async Task<Dictionary<string, ServiceNowRecord>> HeadersAsync(ExportKind kind, RunPlan plan, List<int> pending, ServiceNowClient target, CancellationToken cancellationToken)
    {
        var (table, sets) = kind switch
        {
            ExportKind.LocalSet => ("sys_update_set", plan.LocalSets),
            ExportKind.RemoteSet => (RemoteUpdateSetRecord.TableName, plan.RemoteSets),
            _ => (string.Empty, (IReadOnlyList<PlannedSet>)[]),
        };
        var headers = new Dictionary<string, ServiceNowRecord>(StringComparer.Ordinal);
        if (table.Length == 0 || pending.Count < 2)
        {
            return headers;
        }

        await foreach (var row in target.GetRecordsAsync(table, TableQuery.All.AndIn("sys_id", pending.Select(i => sets[i].SysId)), cancellationToken: cancellationToken))
        {
            headers[row.SysId] = row;
        }

        return headers;
    }
}
