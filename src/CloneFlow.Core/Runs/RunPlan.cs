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

    /// <summary>Extra tables carried across the clone.</summary>
    public IReadOnlyList<PlannedTable> ExtraTables { get; init; } = [];

    /// <summary>Tables on the target that the source lacks: their rows are lost unless exported.</summary>
    public IReadOnlyList<string> TablesMissingOnSource { get; init; } = [];

    /// <summary>Updates in all exported sets.</summary>
    public long Updates => LocalSets.Sum(s => s.Updates) + RemoteSets.Sum(s => s.Updates);

    /// <summary>The plan's counts, as the orchestration sees them.</summary>
    [JsonIgnore]
    public PlanSummary Summary => new(LocalSets.Count, EmptySets.Count, RemoteSets.Count, Updates, ActivePlugins.Count, ScopedApps.Count, ExtraTables.Count, TablesMissingOnSource.Count);

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

/// <summary>A scoped application in development.</summary>
/// <param name="SysId">The app's sys_id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Scope">Its scope, e.g. <c>x_acme_facreq</c>.</param>
public sealed record PlannedApp(string SysId, string Name, string Scope);

/// <summary>An extra table to carry across.</summary>
/// <param name="Table">The table.</param>
/// <param name="Query">The encoded query selecting its rows.</param>
/// <param name="Rows">How many rows matched.</param>
public sealed record PlannedTable(string Table, string Query, long Rows);

/// <summary>The plan as the orchestration sees it: counts only.</summary>
public sealed record PlanSummary(int LocalSets, int EmptySets, int RemoteSets, long Updates, int Plugins, int ScopedApps, int ExtraTables, int TablesMissingOnSource)
{
    /// <summary>The scoped apps' exports: one for all of them, when there are any.</summary>
    [JsonIgnore]
    public int AppExports => ScopedApps > 0 ? 1 : 0;

    /// <summary>
    /// The exports a run stores, each a manifest item: every local and remote set, the plugin list, the scoped
    /// apps (<see cref="AppExports"/>) and every extra table.
    /// </summary>
    [JsonIgnore]
    public int ExportItems => LocalSets + RemoteSets + 1 + AppExports + ExtraTables;
}
