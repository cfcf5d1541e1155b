using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Activities;

/// <summary>
/// Takes the target's inventory (runbook step 4) and stores it as the run's plan: in-flight local
/// sets (in progress, or complete but not on the source) with their batches, empty sets, uncommitted
/// remote sets, active plugins, scoped apps the source lacks (with their files, tables and rows), extra tables, and tables only the
/// target has. Returns only counts.
/// </summary>
public sealed class PlanActivity(RunServices services) : CloneFlowActivity<RunRef, PlanSummary>
{
    /// <summary>The plan's blob name relative to the run.</summary>
    public const string PlanBlob = "plan.json";

    private const int InListSize = 100;

    /// <inheritdoc />
    public override async Task<PlanSummary> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var settings = services.Target(input.Target);
        // The plan is the pre-clone state: never taken again once the run's clone exists.
        await OwnCloneRequest.ThrowIfRequestedAsync(services, input.RunId, input.Target, cancellationToken);
        var target = await services.Clients.GetAsync(settings.Instance, cancellationToken);
        var source = await services.Clients.GetAsync(settings.Source, cancellationToken);

        var counts = await UpdateCountsAsync(target, cancellationToken);
        var candidates = await ListAsync(target, "sys_update_set", TableQuery.All.AndIn("state", ["in progress", "complete"]).AndNot("name", "Default"), ["sys_id", "name", "state", "application", "parent", "sys_created_on"], cancellationToken);
        var released = await ReleasedAsync(source, candidates.Where(s => s.Get("state") == "complete").Select(s => s.SysId).ToList(), cancellationToken);
        var inFlight = candidates.Where(s => !released.Contains(s.SysId)).OrderBy(s => s.Get("sys_created_on"), StringComparer.Ordinal).ThenBy(s => s.SysId, StringComparer.Ordinal).ToList();
        var inFlightIds = inFlight.Select(s => s.SysId).ToHashSet(StringComparer.Ordinal);
        var planned = inFlight
            .Select(s => Planned(
                s.SysId,
                s.Get("name") ?? string.Empty,
                s.Get("state") ?? string.Empty,
                s.Get("application") ?? "global",
                inFlightIds.Contains(s.Get("parent") ?? string.Empty) ? s.Get("parent")! : string.Empty,
                counts.Local.GetValueOrDefault(s.SysId)))
            .ToList();

        var remote = (await ListAsync(target, "sys_remote_update_set", TableQuery.All.AndNot("state", "committed"), ["sys_id", "name", "state", "application", "parent", "sys_created_on"], cancellationToken))
            .OrderBy(s => s.Get("sys_created_on"), StringComparer.Ordinal)
            .Select(s => Planned(s.SysId, s.Get("name") ?? string.Empty, s.Get("state") ?? string.Empty, s.Get("application") ?? "global", s.Get("parent") ?? string.Empty, counts.Remote.GetValueOrDefault(s.SysId)))
            .ToList();

        var plugins = (await ListAsync(target, "sys_plugins", TableQuery.Where("active", "active"), ["sys_id", "source"], cancellationToken))
            .Select(p => p.Get("source") ?? string.Empty).Where(p => p.Length > 0).Order(StringComparer.Ordinal).ToList();

        var kept = Kept(planned);
        var localSets = Ordered(planned.Where(kept.Contains).ToList());
        var devApps = await AppInventory.TakeAsync(source, target, localSets.Select(s => s.SysId).ToHashSet(StringComparer.Ordinal), cancellationToken);

        var extra = new List<PlannedTable>();
        foreach (var table in settings.ExtraTables)
        {
            extra.Add(new PlannedTable(table.Table, table.Query, await target.CountAsync(table.Table, Raw(table.Query), cancellationToken)));
        }

        var plan = new RunPlan
        {
            RunId = input.RunId,
            Target = input.Target,
            Source = settings.Source,
            TargetInstance = settings.Instance,
            CreatedAt = services.Time.GetUtcNow(),
            LocalSets = localSets,
            EmptySets = planned.Where(s => !kept.Contains(s)).ToList(),
            RemoteSets = remote,
            ActivePlugins = plugins,
            ScopedApps = devApps,
            ExtraTables = extra,
            TablesMissingOnSource = await PreflightActivity.TablesMissingOnSourceAsync(source, target, cancellationToken),
        };
        await services.Artifacts.WriteJsonAsync(input.RunId, PlanBlob, plan, cancellationToken);
        return plan.Summary;
    }

    /// <summary>Sets with updates, and their batch ancestors even without updates of their own (without them a batch falls apart).</summary>
    internal static HashSet<PlannedSet> Kept(List<PlannedSet> planned)
    {
        var byId = planned.ToDictionary(s => s.SysId, StringComparer.Ordinal);
        var kept = new HashSet<PlannedSet>();
        foreach (var set in planned.Where(s => s.Updates > 0))
        {
            for (var current = set; current is not null && kept.Add(current); current = byId.GetValueOrDefault(current.Parent))
            {
            }
        }

        return kept;
    }

    /// <summary>Parents before their children, otherwise in creation order: the order commits must follow.</summary>
    internal static List<PlannedSet> Ordered(List<PlannedSet> sets)
    {
        var ids = sets.Select(s => s.SysId).ToHashSet(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<PlannedSet>(sets.Count);
        void Visit(PlannedSet set)
        {
            if (!done.Add(set.SysId))
            {
                return;
            }

            if (set.Parent.Length > 0 && ids.Contains(set.Parent))
            {
                Visit(sets.First(s => s.SysId == set.Parent));
            }

            ordered.Add(set);
        }

        sets.ForEach(Visit);
        return ordered;
    }

    /// <summary>A configured encoded query, passed through as written (it comes from configuration, not from requests).</summary>
    internal static TableQuery Raw(string encoded) => string.IsNullOrWhiteSpace(encoded) ? TableQuery.All : TableQuery.FromConfiguration(encoded);

    /// <summary>A set in the plan with its updates' count and page starts (none when it has no updates).</summary>
    private static PlannedSet Planned(string sysId, string name, string state, string application, string parent, UpdateTally? updates) =>
        new(sysId, name, state, application, parent, updates?.Count ?? 0) { PageStarts = updates?.PageStarts ?? [] };

    /// <summary>Each set's updates, counted from one read of sys_update_xml in sys_id order, with where each of its export pages starts.</summary>
    private static async Task<(Dictionary<string, UpdateTally> Local, Dictionary<string, UpdateTally> Remote)> UpdateCountsAsync(ServiceNowClient target, CancellationToken cancellationToken)
    {
        var local = new Dictionary<string, UpdateTally>(StringComparer.Ordinal);
        var remote = new Dictionary<string, UpdateTally>(StringComparer.Ordinal);
        await foreach (var row in target.GetRecordsAsync("sys_update_xml", fields: ["sys_id", "update_set", "remote_update_set"], cancellationToken: cancellationToken))
        {
            if (row.Get("remote_update_set") is { Length: > 0 } remoteSet)
            {
                UpdateTally.Of(remote, remoteSet).Add(row.SysId);
            }
            else if (row.Get("update_set") is { Length: > 0 } localSet)
            {
                UpdateTally.Of(local, localSet).Add(row.SysId);
            }
        }

        return (local, remote);
    }

    internal static async Task<List<ServiceNowRecord>> ListAsync(ServiceNowClient client, string table, TableQuery query, IReadOnlyList<string> fields, CancellationToken cancellationToken)
    {
        var rows = new List<ServiceNowRecord>();
        await foreach (var row in client.GetRecordsAsync(table, query, fields, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// The complete sets the source already holds: promoted the way ServiceNow records it (a committed
    /// remote set on the source whose <c>remote_sys_id</c> is the set's sys_id; its commit made a local set
    /// with a new sys_id), or the same set itself (it came to the target with an earlier clone).
    /// </summary>
    private static async Task<HashSet<string>> ReleasedAsync(ServiceNowClient source, IReadOnlyList<string> complete, CancellationToken cancellationToken)
    {
        var released = await ExistingAsync(source, "sys_update_set", complete, cancellationToken);
        foreach (var chunk in complete.Chunk(InListSize))
        {
            await foreach (var row in source.GetRecordsAsync("sys_remote_update_set", TableQuery.Where("state", "committed").AndIn("remote_sys_id", chunk), ["sys_id", "remote_sys_id"], cancellationToken: cancellationToken))
            {
                released.Add(row.Get("remote_sys_id") ?? string.Empty);
            }
        }

        return released;
    }

    internal static async Task<HashSet<string>> ExistingAsync(ServiceNowClient client, string table, IEnumerable<string> sysIds, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in sysIds.Chunk(InListSize))
        {
            await foreach (var row in client.GetRecordsAsync(table, TableQuery.All.AndIn("sys_id", chunk), ["sys_id"], cancellationToken: cancellationToken))
            {
                found.Add(row.SysId);
            }
        }

        return found;
    }
}
