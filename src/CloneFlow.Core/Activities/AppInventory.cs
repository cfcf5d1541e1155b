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
        var apps = await PlanActivity.ListAsync(target, "sys_app", TableQuery.All, ["sys_id", "name", "scope", "version"], cancellationToken);
        var onSource = await PlanActivity.ExistingAsync(source, "sys_app", apps.Select(a => a.SysId), cancellationToken);
        var devApps = apps.Where(a => !onSource.Contains(a.SysId)).OrderBy(a => a.Get("scope"), StringComparer.Ordinal).ToList();
        if (devApps.Count == 0)
        {
            return [];
        }

        var linked = await LinkedAsync(target, devApps.Select(a => a.SysId), cancellationToken);
        var import = new PostCloneImport(await ImportEnabledAsync(source, cancellationToken), await ImportEnabledAsync(target, cancellationToken));
        var planned = new List<PlannedApp>();
        foreach (var app in devApps)
        {
            planned.Add(await AppAsync(target, app, exportedSets, linked.GetValueOrDefault(app.SysId), import, cancellationToken));
        }

        return planned;
    }

    /// <summary>
    /// Source-control links (sys_repo_config) of the apps, by app: the repository URL. Studio records the link there;
    /// the clone keeps the target's rows.
    /// </summary>
    private static async Task<Dictionary<string, string>> LinkedAsync(ServiceNowClient target, IEnumerable<string> apps, CancellationToken cancellationToken)
    {
        var linked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in apps.Chunk(100))
        {
            await foreach (var row in target.GetRecordsAsync("sys_repo_config", TableQuery.All.AndIn("sys_app", chunk), ["sys_id", "sys_app", "url"], cancellationToken: cancellationToken))
            {
                linked[row.Get("sys_app") ?? string.Empty] = row.Get("url") ?? string.Empty;
            }
        }

        return linked;
    }

    /// <summary>True only when the property is there and true: a default the Table API cannot show is not relied on.</summary>
    private static async Task<bool> ImportEnabledAsync(ServiceNowClient client, CancellationToken cancellationToken) =>
        string.Equals((await PreflightActivity.FirstAsync(client, "sys_properties", TableQuery.Where("name", AppRoutes.ImportProperty), cancellationToken))?.Get("value"), "true", StringComparison.OrdinalIgnoreCase);

    private static async Task<PlannedApp> AppAsync(ServiceNowClient target, ServiceNowRecord app, IReadOnlySet<string> exportedSets, string? repository, PostCloneImport import, CancellationToken cancellationToken)
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

        var (route, reason) = repository is null
            ? (AppRoutes.UpdateSet, "the latest update of each of its files as one update set, committed before the sets that use its scope")
            : import.OnBoth
                ? (AppRoutes.SourceControl, $"linked to source control ({repository}); ServiceNow re-imports it after the clone ({AppRoutes.ImportProperty} is true on source and target); CloneFlow waits for it, re-inserts its tables' rows, and commits its update-set export instead if it is not back in time")
                : (AppRoutes.UpdateSet, $"linked to source control ({repository}), but {AppRoutes.ImportProperty} is not true on {import.Missing}, so CloneFlow does not count on ServiceNow's post-clone import: the latest update of each file as one update set");
        return new PlannedApp(app.SysId, app.Get("name") ?? string.Empty, app.Get("scope") ?? string.Empty)
        {
            Version = app.Get("version") ?? string.Empty,
            Route = route,
            RouteReason = reason,
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

    /// <summary>Whether the post-clone import is on: the target's property must still be true after the clone, which copies the source's.</summary>
    private sealed record PostCloneImport(bool Source, bool Target)
    {
        public bool OnBoth => Source && Target;

        public string Missing => (Source, Target) switch
        {
            (false, false) => "the source or the target",
            (false, true) => "the source (the clone copies its properties over the target's)",
            _ => "the target",
        };
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
