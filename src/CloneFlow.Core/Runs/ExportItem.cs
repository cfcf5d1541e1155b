namespace CloneFlow.Core.Runs;

/// <summary>The kinds of export a run makes.</summary>
public enum ExportKind
{
    /// <summary>A local update set, exported as a remote set in the unload format.</summary>
    LocalSet,

    /// <summary>An uncommitted remote update set with its updates.</summary>
    RemoteSet,

    /// <summary>The active plugin list.</summary>
    Plugins,

    /// <summary>A scoped application in development: the latest update of its files, as one remote update set.</summary>
    ScopedApps,

    /// <summary>An extra table's rows.</summary>
    ExtraTable,

    /// <summary>The rows of a table a scoped application in development owns.</summary>
    AppTable,
}

/// <summary>
/// One verified (or failed) export. A verified export carries its item in its own metadata, stored in the
/// same request as its verified mark; any other item is stored as <c>runs/{runId}/manifest/{kind}-{index}.json</c>.
/// The run's manifest (<c>manifest.json</c>) is the list of them all.
/// </summary>
public sealed record ExportItem
{
    /// <summary>What was exported.</summary>
    public ExportKind Kind { get; init; }

    /// <summary>Position in the plan's list for that kind.</summary>
    public int Index { get; init; }

    /// <summary>The exported thing's sys_id (set, table name for tables, empty for lists).</summary>
    public string SourceId { get; init; } = string.Empty;

    /// <summary>Its name for people.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The export's blob name relative to the run.</summary>
    public string Blob { get; init; } = string.Empty;

    /// <summary>SHA-256 of the blob.</summary>
    public string Sha256 { get; init; } = string.Empty;

    /// <summary>Its length.</summary>
    public long Bytes { get; init; }

    /// <summary>Records ServiceNow reported (updates for sets, rows for tables).</summary>
    public long Expected { get; init; }

    /// <summary>Records found when the blob was read back.</summary>
    public long Found { get; init; }

    /// <summary>True when read back whole with the expected count.</summary>
    public bool Verified { get; init; }

    /// <summary>Why it could not be verified.</summary>
    public string? Error { get; init; }

    /// <summary>For local sets: the sys_id its remote copy gets on re-import.</summary>
    public string RemoteSysId { get; init; } = string.Empty;

    /// <summary>The relative name of a manifest item.</summary>
    public static string ManifestName(ExportKind kind, int index) => $"{ManifestPrefix(kind)}{index:D5}.json";

    /// <summary>Where the manifest items stored on their own (not with a verified export) are kept, relative to the run.</summary>
    public const string ManifestFolder = "manifest/";

    /// <summary>The start of the relative names of a kind's manifest items.</summary>
    public static string ManifestPrefix(ExportKind kind) => $"{ManifestFolder}{kind.ToString().ToLowerInvariant()}-";
}

/// <summary>A chunk of exports of one kind, the unit the orchestration fans out.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The target.</param>
/// <param name="Kind">What to export.</param>
/// <param name="Start">First index.</param>
/// <param name="Count">How many.</param>
public sealed record ExportChunk(string RunId, string Target, ExportKind Kind, int Start, int Count);

/// <summary>What a chunk achieved: counts, and the names of the first few failures.</summary>
/// <param name="Verified">Items verified.</param>
/// <param name="Failed">Items that failed.</param>
/// <param name="Failures">Up to five failures, for people.</param>
public sealed record ExportChunkResult(int Verified, int Failed, IReadOnlyList<string> Failures);
