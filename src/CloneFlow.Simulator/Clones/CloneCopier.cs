using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Clones;

/// <summary>
/// What a clone does to the target's data: every table becomes the source's, except preserved tables
/// (kept from the target), excluded tables (emptied) and the target's identity properties. Tables and
/// plugins the source lacks disappear, because <c>sys_db_object</c> and <c>sys_plugins</c> are copied too.
/// </summary>
internal static class CloneCopier
{
    // The target keeps its own identity whatever the profile says.
    private static readonly string[] IdentityProperties = ["instance_name", SimulatedInstance.AllowCloneTargetProperty, "glide.servlet.uri"];

    public static void Copy(SimulatedInstance source, SimulatedInstance target, IReadOnlyDictionary<string, string> request)
    {
        var (preserved, excluded) = Rules(source, request);
        var tables = new Dictionary<string, Table>(StringComparer.Ordinal);
        foreach (var (name, table) in source.AllTables)
        {
            tables[name] = excluded.Contains(name) ? new Table(name) : table.Copy();
        }

        var objects = tables.TryGetValue("sys_db_object", out var copied) ? copied : new Table("sys_db_object");
        tables["sys_db_object"] = objects;
        foreach (var name in preserved)
        {
            tables[name] = target.AllTables.TryGetValue(name, out var kept) ? kept.Copy() : new Table(name);
            var targetObject = target.AllTables.TryGetValue("sys_db_object", out var targetObjects)
                ? targetObjects.Rows().FirstOrDefault(r => r.GetValueOrDefault("name") == name)
                : null;
            if (targetObject is not null && !objects.Rows().Any(r => r.GetValueOrDefault("name") == name))
            {
                objects.Put(targetObject);
            }
        }

        if (tables.TryGetValue("sys_properties", out var properties) && target.AllTables.TryGetValue("sys_properties", out var targetProperties))
        {
            foreach (var name in IdentityProperties)
            {
                foreach (var row in properties.Rows().Where(r => r.GetValueOrDefault("name") == name).ToList())
                {
                    properties.Remove(row["sys_id"]);
                }

                foreach (var row in targetProperties.Rows().Where(r => r.GetValueOrDefault("name") == name))
                {
                    properties.Put(row);
                }
            }
        }

        if (request.GetValueOrDefault("preserve_in_progress_update_sets") == "true")
        {
            KeepInProgressGlobalSets(source, target, tables);
        }

        target.ReplaceTables(tables);
        target.Tokens.Clear();
        target.Cicd.Clear();
    }

    private static (HashSet<string> Preserved, HashSet<string> Excluded) Rules(SimulatedInstance source, IReadOnlyDictionary<string, string> request)
    {
        // MID servers are never copied; repository configurations stay the target's (ServiceNow: "repo_config is retained").
        var preserved = new HashSet<string>(StringComparer.Ordinal) { "ecc_agent", SourceControl.SourceControlEngine.RepoConfigTable };
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        var profile = source.Data("clone_profile").Get(request.GetValueOrDefault("profile", string.Empty));
        if (profile is null)
        {
            preserved.UnionWith(source.Data("clone_data_preserver").Rows().Where(r => r.GetValueOrDefault("active") != "false")
                .Select(r => r.GetValueOrDefault("table", string.Empty)));
            excluded.UnionWith(source.Data("clone_data_exclude").Rows().Where(r => r.GetValueOrDefault("active") != "false")
                .Select(r => r.GetValueOrDefault("table", string.Empty)));
        }
        else
        {
            preserved.UnionWith(List(profile.GetValueOrDefault("preserved_tables")));
            excluded.UnionWith(List(profile.GetValueOrDefault("excluded_tables")));
        }

        if (request.GetValueOrDefault("exclude_audit_log") == "true")
        {
            excluded.UnionWith(["syslog", "sys_audit"]);
        }

        if (request.GetValueOrDefault("exclude_attachments") == "true")
        {
            excluded.UnionWith(["sys_attachment", "sys_attachment_doc"]);
        }

        preserved.Remove(string.Empty);
        excluded.Remove(string.Empty);
        excluded.ExceptWith(preserved);
        return (preserved, excluded);
    }

    private static string[] List(string? text) =>
        (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The clone option that keeps in-progress global update sets of the last 90 days (scoped sets never survive).</summary>
    private static void KeepInProgressGlobalSets(SimulatedInstance source, SimulatedInstance target, Dictionary<string, Table> tables)
    {
        if (!target.AllTables.TryGetValue("sys_update_set", out var sets) || !target.AllTables.TryGetValue("sys_update_xml", out var updates))
        {
            return;
        }

        var cutoff = source.Clock.UtcNow.AddDays(-90);
        var kept = sets.Rows()
            .Where(s => s.GetValueOrDefault("state") == "in progress" && s.GetValueOrDefault("application", "global") == "global"
                && s.GetValueOrDefault("is_default") != "true" && (SnTime.Parse(s.GetValueOrDefault("sys_created_on")) ?? DateTimeOffset.MinValue) >= cutoff)
            .ToList();
        var ids = kept.Select(s => s["sys_id"]).ToHashSet(StringComparer.Ordinal);
        var setTable = tables.TryGetValue("sys_update_set", out var s1) ? s1 : tables["sys_update_set"] = new Table("sys_update_set");
        var xmlTable = tables.TryGetValue("sys_update_xml", out var x1) ? x1 : tables["sys_update_xml"] = new Table("sys_update_xml");
        foreach (var set in kept)
        {
            setTable.Put(set);
        }

        foreach (var update in updates.Rows().Where(u => ids.Contains(u.GetValueOrDefault("update_set", string.Empty))))
        {
            xmlTable.Put(update);
        }
    }
}
