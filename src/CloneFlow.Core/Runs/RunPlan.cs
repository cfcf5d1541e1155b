using System.Text.Json.Serialization;

namespace CloneFlow.Core.Runs;

/// <summary>
/// The inventory of a target before its clone (stored as <c>runs/{runId}/plan.json</c>): what will be
/// preserved, what would be lost, and where each export goes. Approvers see it; activities work from it.
/// </summary>
public sealed record RunPlan
{
    /// <summary>The run.</summary>
    public string RunId { get; init; } = string.Empty;

    /// <summary>The configured target name.</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>The source instance name.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The target instance name.</summary>
    public string TargetInstance { get; init; } = string.Empty;

    /// <summary>When the inventory was taken.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Local update sets in flight (in progress, or complete but not on the source), batches included.</summary>
    public IReadOnlyList<PlannedSet> LocalSets { get; init; } = [];

    /// <summary>In-flight local sets without updates: set to ignore or left alone, never exported.</summary>
    public IReadOnlyList<PlannedSet> EmptySets { get; init; } = [];

    /// <summary>Retrieved or imported remote sets not yet committed.</summary>
    public IReadOnlyList<PlannedSet> RemoteSets { get; init; } = [];

    /// <summary>Plugin ids active on the target.</summary>
    public IReadOnlyList<string> ActivePlugins { get; init; } = [];

    /// <summary>Scoped applications on the target that the source does not have (a clone deletes them).</summary>
    public IReadOnlyList<PlannedApp> ScopedApps { get; init; } = [];

    /// <summary>The tables of <see cref="ScopedApps"/>, in one list: each one's rows are an export of their own.</summary>
    [JsonIgnore]
    public IReadOnlyList<PlannedAppTable> AppTables => ScopedApps.SelectMany(a => a.Tables).ToList();

    /// <summary>Extra tables carried across the clone.</summary>
    public IReadOnlyList<PlannedTable> ExtraTables { get; init; } = [];

    /// <summary>Tables on the target that the source lacks: their rows are lost unless exported.</summary>
    public IReadOnlyList<string> TablesMissingOnSource { get; init; } = [];

    /// <summary>Updates in all exported sets.</summary>
    public long Updates => LocalSets.Sum(s => s.Updates) + RemoteSets.Sum(s => s.Updates);

    /// <summary>The plan's counts, as the orchestration sees them.</summary>
    [JsonIgnore]
    public PlanSummary Summary => new(LocalSets.Count, EmptySets.Count, RemoteSets.Count, Updates, ActivePlugins.Count, ScopedApps.Count, ExtraTables.Count, TablesMissingOnSource.Count) { AppTables = AppTables.Count };

    /// <summary>The exports a run stores (<see cref="PlanSummary.ExportItems"/>).</summary>
    [JsonIgnore]
    public int ExportItems => Summary.ExportItems;
}

/// <summary>An update set in the plan.</summary>
/// <param name="SysId">The set's sys_id on the target.</param>
/// <param name="Name">Its name.</param>
/// <param name="State">Its state before the clone.</param>
/// <param name="Application">Its application (scope) sys_id or <c>global</c>.</param>
/// <param name="Parent">The parent set's sys_id inside a batch; empty at the top.</param>
/// <param name="Updates">How many updates ServiceNow reported for it.</param>
public sealed record PlannedSet(string SysId, string Name, string State, string Application, string Parent, long Updates)
{
    /// <summary>Updates per page of <see cref="PageStarts"/>: the rows an export asks for per request.</summary>
    public const int PageSize = 100;

    /// <summary>
    /// Where each page of the set's updates after the first starts (sys_ids in ascending order, pages of
    /// <see cref="PageSize"/> updates, as the inventory saw them), so the export reads its pages side by
    /// side as sys_id ranges instead of one after another. Empty: one page, or a plan from before they
    /// were noted.
    /// </summary>
    public IReadOnlyList<string> PageStarts { get; init; } = [];
}

/// <summary>Lookups in the plan's lists of sets.</summary>
public static class PlannedSets
{
    /// <summary>The name of the planned set <paramref name="sysId"/> (a parent, say); empty for none.</summary>
    public static string NameOf(IReadOnlyList<PlannedSet> sets, string sysId) =>
        sysId.Length == 0 ? string.Empty : sets.FirstOrDefault(s => s.SysId == sysId)?.Name ?? $"(not in the plan: {sysId})";
}

/// <summary>
/// A scoped application in development, as the target held it: its record and version, its files (every
/// <c>sys_metadata</c> record in its scope), its tables and their rows, and the route that brings it back.
/// </summary>
/// <param name="SysId">The app's sys_id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Scope">Its scope, e.g. <c>x_acme_facreq</c>.</param>
public sealed record PlannedApp(string SysId, string Name, string Scope)
{
    /// <summary>Its version (sys_app.version).</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>How it comes back (<see cref="AppRoutes"/>).</summary>
    public string Route { get; init; } = AppRoutes.UpdateSet;

    /// <summary>Why the route was chosen, for the plan and the approval page.</summary>
    public string RouteReason { get; init; } = string.Empty;

    /// <summary>The sys_ids of its files (sys_metadata records in its scope) before the clone.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>
    /// The customer updates the app's update set carries: the latest one of every file whose newest version is
    /// not in an exported set (those sets bring it themselves, after the app).
    /// </summary>
    public IReadOnlyList<string> Updates { get; init; } = [];

    /// <summary>Files with no customer update at all (made with update tracking off): no route brings them back.</summary>
    public IReadOnlyList<string> UntrackedFiles { get; init; } = [];

    /// <summary>Its tables, with their columns and rows.</summary>
    public IReadOnlyList<PlannedAppTable> Tables { get; init; } = [];

    /// <summary>The name of the remote set that carries the app across, and of the local set its commit creates.</summary>
    public string RestoreSetName(string runId) => $"CloneFlow restore {runId} - {Name} {Version}".TrimEnd();
}

/// <summary>A table a scoped app in development owns.</summary>
/// <param name="App">The app's sys_id.</param>
/// <param name="Table">The table's name.</param>
/// <param name="Columns">Its dictionary entries (sys_dictionary rows, the collection entry included).</param>
/// <param name="Rows">Its rows.</param>
public sealed record PlannedAppTable(string App, string Table, long Columns, long Rows);

/// <summary>The routes a scoped app in development takes across a clone.</summary>
public static class AppRoutes
{
    /// <summary>
    /// Needs no plugin: the latest update of every file exported as one update set, committed before the sets
    /// that depend on the scope, and the tables' rows re-inserted.
    /// </summary>
    public const string UpdateSet = "updateSet";

    /// <summary>
    /// Linked to source control and re-imported by ServiceNow after the clone
    /// (<c>glide.source_control.post_clone_import_enabled</c>); CloneFlow carries its tables' rows and checks it came back.
    /// </summary>
    public const string SourceControl = "sourceControl";

    /// <summary>The property that has ServiceNow re-import apps linked to source control after a clone.</summary>
    public const string ImportProperty = "glide.source_control.post_clone_import_enabled";
}

/// <summary>An extra table to carry across.</summary>
/// <param name="Table">The table.</param>
/// <param name="Query">The encoded query selecting its rows.</param>
/// <param name="Rows">How many rows matched.</param>
public sealed record PlannedTable(string Table, string Query, long Rows);

/// <summary>The plan as the orchestration sees it: counts only.</summary>
public sealed record PlanSummary(int LocalSets, int EmptySets, int RemoteSets, long Updates, int Plugins, int ScopedApps, int ExtraTables, int TablesMissingOnSource)
{
    /// <summary>The tables of the scoped apps: each one's rows are an export.</summary>
    public int AppTables { get; init; }

    /// <summary>
    /// The exports a run stores, each a manifest item: every local and remote set, the plugin list, every scoped
    /// app (its update set; empty for an app that takes another route), every app table and every extra table.
    /// </summary>
    [JsonIgnore]
    public int ExportItems => LocalSets + RemoteSets + 1 + ScopedApps + AppTables + ExtraTables;
}
