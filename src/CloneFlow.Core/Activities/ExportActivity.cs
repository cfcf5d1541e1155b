using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Core.Activities;

/// <summary>
/// Exports and verifies a chunk of the plan's items of one kind (runbook step 6). Each item's outcome
/// is stored as a manifest entry; an item verified by an earlier attempt is not exported again.
/// Up to <see cref="ItemsAtOnce"/> items are exported side by side (each streamed to its own blob and
/// read back), so one activity keeps several of the client's request slots busy; the set headers of
/// the chunk are read in one call.
/// </summary>
public sealed class ExportActivity(RunServices services) : CloneFlowActivity<ExportChunk, ExportChunkResult>
{
    /// <summary>Items of one chunk exported at once.</summary>
    public const int ItemsAtOnce = 5;

    /// <inheritdoc />
    public override async Task<ExportChunkResult> ExecuteAsync(ExportChunk input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var target = await services.Clients.GetAsync(plan.TargetInstance, cancellationToken);
        var planned = plan.LocalSets.ToDictionary(s => s.SysId, StringComparer.Ordinal);

        // The chunk's manifest entries, read side by side: items verified by an earlier attempt are done.
        var indexes = Enumerable.Range(input.Start, input.Count).ToList();
        var entries = await Task.WhenAll(indexes.Select(index => services.Artifacts.ReadJsonAsync<ExportItem>(input.RunId, ExportItem.ManifestName(input.Kind, index), cancellationToken)));
        var pending = indexes.Where((_, i) => entries[i] is not { Verified: true }).ToList();
        var verified = indexes.Count - pending.Count;

        if (pending.Count == 0)
        {
            return new ExportChunkResult(verified, 0, []);
        }

        var headers = await HeadersAsync(input.Kind, plan, pending, target, cancellationToken);
        var atOnce = Math.Min(ItemsAtOnce, pending.Count);
        var exporter = new Exporter(services.Artifacts, services.Time, Math.Max(1, Exporter.MaxPartitions / atOnce));
        var items = new ExportItem[pending.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, pending.Count),
            new ParallelOptions { MaxDegreeOfParallelism = atOnce, CancellationToken = cancellationToken },
            async (slot, token) =>
            {
                var index = pending[slot];
                var item = input.Kind switch
                {
                    ExportKind.LocalSet => await exporter.LocalSetAsync(input.RunId, index, plan.LocalSets[index], planned, target, headers.GetValueOrDefault(plan.LocalSets[index].SysId), token),
                    ExportKind.RemoteSet => await exporter.RemoteSetAsync(input.RunId, index, plan.RemoteSets[index], target, headers.GetValueOrDefault(plan.RemoteSets[index].SysId), token),
                    ExportKind.Plugins => await exporter.JsonListAsync(input.RunId, ExportKind.Plugins, "exports/plugins.json", plan.ActivePlugins, token),
                    ExportKind.ScopedApps => await exporter.RowsAsync(input.RunId, ExportKind.ScopedApps, index, "scoped apps", "exports/apps.xml", target, "sys_app", TableQuery.All.AndIn("sys_id", plan.ScopedApps.Select(a => a.SysId)), plan.ScopedApps.Count, token),
                    ExportKind.ExtraTable => await exporter.RowsAsync(input.RunId, ExportKind.ExtraTable, index, plan.ExtraTables[index].Table, $"exports/tables/{index:D3}-{plan.ExtraTables[index].Table}.xml", target, plan.ExtraTables[index].Table, PlanActivity.Raw(plan.ExtraTables[index].Query), plan.ExtraTables[index].Rows, token),
                    _ => throw new InvalidOperationException($"Unknown export kind {input.Kind}."),
                };
                await services.Artifacts.WriteJsonAsync(input.RunId, ExportItem.ManifestName(input.Kind, index), item, token);
                items[slot] = item;
            });

        var failures = items.Where(i => !i.Verified).Select(i => $"{i.Name}: {i.Error}").ToList();
        return new ExportChunkResult(verified + items.Length - failures.Count, failures.Count, failures.Take(5).ToList());
    }

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
