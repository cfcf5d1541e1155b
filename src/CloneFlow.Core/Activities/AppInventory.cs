using CloneFlow.Core.Runs;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Activities;

/// <summary>
/// The scoped apps in development on a target (sys_app records the source lacks), each as the plan needs it:
/// version, files (every sys_metadata record in its scope), the latest customer update of each file, its
/// tables with their dictionary and rows, and the route that brings it back.
/// </summary>
internal static class AppInventory
{
    /// <summary>Takes the inventory; <paramref name="exportedSets"/> are the local sets the plan exports (they carry their own updates).</summary>
    public static async Task<List<PlannedApp>> TakeAsync(ServiceNowClient source, ServiceNowClient target, IReadOnlySet<string> exportedSets, CancellationToken cancellationToken)
    {
        var apps = await PlanActivity.ListAsync(target, "sys_app", TableQuery.All, ["sys_id", "name", "scope", "version", "source_control"], cancellationToken);
        var onSource = await PlanActivity.ExistingAsync(source, "sys_app", apps.Select(a => a.SysId), cancellationToken);
        var planned = new List<PlannedApp>();
        foreach (var app in apps.Where(a => !onSource.Contains(a.SysId)).OrderBy(a => a.Get("scope"), StringComparer.Ordinal))
        {
            planned.Add(await AppAsync(target, app, exportedSets, cancellationToken));
        }

        return planned;
    }

    private static async Task<PlannedApp> AppAsync(ServiceNowClient target, ServiceNowRecord app, IReadOnlySet<string> exportedSets, CancellationToken cancellationToken)
    {
        var files = await PlanActivity.ListAsync(target, "sys_metadata", TableQuery.Where("sys_scope", app.SysId), ["sys_id", "sys_update_name"], cancellationToken);
        var latest = await LatestUpdatesAsync(target, app.SysId, cancellationToken);
        var tables = new List<PlannedAppTable>();
        foreach (var table in (await PlanActivity.ListAsync(target, "sys_db_object", TableQuery.Where("sys_scope", app.SysId), ["sys_id", "name"], cancellationToken))
            .Select(t => t.Get("name") ?? string.Empty).Where(t => t.Length > 0).Order(StringComparer.Ordinal))
        {
            var columns = await target.CountAsync("sys_dictionary", TableQuery.Where("name", table), cancellationToken);
            tables.Add(new PlannedAppTable(app.SysId, table, columns, await target.CountAsync(table, TableQuery.All, cancellationToken)));
        }

        var linked = string.Equals(app.Get("source_control"), "true", StringComparison.OrdinalIgnoreCase);
        return new PlannedApp(app.SysId, app.Get("name") ?? string.Empty, app.Get("scope") ?? string.Empty)
        {
            Version = app.Get("version") ?? string.Empty,
            Route = AppRoutes.UpdateSet,
            RouteReason = linked
                ? "linked to source control; CloneFlow still carries it as an update set of its latest file versions, committed before the sets that use its scope"
                : "the latest update of each of its files as one update set, committed before the sets that use its scope",
            Files = files.Select(f => f.SysId).Order(StringComparer.Ordinal).ToList(),
            // A file whose newest version is in an exported set comes back with that set, after the app.
            Updates = latest.Values.Where(u => !exportedSets.Contains(u.UpdateSet)).Select(u => u.SysId).Order(StringComparer.Ordinal).ToList(),
            UntrackedFiles = files.Where(f => !latest.ContainsKey(f.Get("sys_update_name") ?? string.Empty)).Select(f => f.SysId).Order(StringComparer.Ordinal).ToList(),
            Tables = tables,
        };
    }

    /// <summary>The newest local customer update of every file of the app, by update name (retrieved copies in remote sets are not the app's own).</summary>
    private static async Task<Dictionary<string, LatestUpdate>> LatestUpdatesAsync(ServiceNowClient target, string appSysId, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, LatestUpdate>(StringComparer.Ordinal);
        await foreach (var row in target.GetRecordsAsync("sys_update_xml", TableQuery.Where("application", appSysId).AndEmpty("remote_update_set"), ["sys_id", "name", "update_set", "sys_recorded_at", "sys_updated_on"], cancellationToken: cancellationToken))
        {
            var name = row.Get("name") ?? string.Empty;
            var update = new LatestUpdate(row.SysId, row.Get("update_set") ?? string.Empty, row.Get("sys_recorded_at") ?? string.Empty, row.Get("sys_updated_on") ?? string.Empty);
            if (name.Length > 0 && (!latest.TryGetValue(name, out var seen) || update.IsNewerThan(seen)))
            {
                latest[name] = update;
            }
        }

        return latest;
    }

    /// <summary>One update of a file: where it is and when it was recorded.</summary>
    private sealed record LatestUpdate(string SysId, string UpdateSet, string RecordedAt, string UpdatedOn)
    {
        /// <summary>sys_recorded_at orders updates of the same second; sys_updated_on is the fallback for older records without it.</summary>
        public bool IsNewerThan(LatestUpdate other)
        {
            var byTime = string.CompareOrdinal(UpdatedOn, other.UpdatedOn);
            return byTime != 0 ? byTime > 0 : string.CompareOrdinal(RecordedAt, other.RecordedAt) > 0;
        }
    }
}
