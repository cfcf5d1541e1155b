using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Activities;

/// <summary>
/// Exports and verifies a chunk of the plan's items of one kind (runbook step 6). Each item's outcome
/// is stored as a manifest entry; an item verified by an earlier attempt is not exported again.
/// </summary>
public sealed class ExportActivity(RunServices services) : CloneFlowActivity<ExportChunk, ExportChunkResult>
{
    /// <inheritdoc />
    public override async Task<ExportChunkResult> ExecuteAsync(ExportChunk input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var target = await services.Clients.GetAsync(plan.TargetInstance, cancellationToken);
        var exporter = new Exporter(services.Artifacts, services.Time);
        var planned = plan.LocalSets.ToDictionary(s => s.SysId, StringComparer.Ordinal);
        var verified = 0;
        var failures = new List<string>();
        for (var index = input.Start; index < input.Start + input.Count; index++)
        {
            var manifestName = ExportItem.ManifestName(input.Kind, index);
            if (await services.Artifacts.ReadJsonAsync<ExportItem>(input.RunId, manifestName, cancellationToken) is { Verified: true })
            {
                verified++;
                continue;
            }

            var item = input.Kind switch
            {
                ExportKind.LocalSet => await exporter.LocalSetAsync(input.RunId, index, plan.LocalSets[index], planned, target, cancellationToken),
                ExportKind.RemoteSet => await exporter.RemoteSetAsync(input.RunId, index, plan.RemoteSets[index], target, cancellationToken),
                ExportKind.Plugins => await exporter.JsonListAsync(input.RunId, ExportKind.Plugins, "exports/plugins.json", plan.ActivePlugins, cancellationToken),
                ExportKind.ScopedApps => await exporter.RowsAsync(input.RunId, ExportKind.ScopedApps, index, "scoped apps", "exports/apps.xml", target, "sys_app", TableQuery.All.AndIn("sys_id", plan.ScopedApps.Select(a => a.SysId)), cancellationToken),
                ExportKind.ExtraTable => await exporter.RowsAsync(input.RunId, ExportKind.ExtraTable, index, plan.ExtraTables[index].Table, $"exports/tables/{index:D3}-{plan.ExtraTables[index].Table}.xml", target, plan.ExtraTables[index].Table, PlanActivity.Raw(plan.ExtraTables[index].Query), cancellationToken),
                _ => throw new InvalidOperationException($"Unknown export kind {input.Kind}."),
            };
            await services.Artifacts.WriteJsonAsync(input.RunId, manifestName, item, cancellationToken);
            if (item.Verified)
            {
                verified++;
            }
            else
            {
                failures.Add($"{item.Name}: {item.Error}");
            }
        }

        return new ExportChunkResult(verified, failures.Count, failures.Take(5).ToList());
    }
}
