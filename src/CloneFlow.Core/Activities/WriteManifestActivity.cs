using System.Text.Json.Serialization;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;

namespace CloneFlow.Core.Activities;

/// <summary>The run's manifest: every export with its hash, counts and verification.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Items">The exports.</param>
public sealed record RunManifest(string RunId, IReadOnlyList<ExportItem> Items)
{
    /// <summary>How many of the exports are verified (not stored: it is the items').</summary>
    [JsonIgnore]
    public int Verified => Items.Count(i => i.Verified);

    /// <summary>The export of <paramref name="kind"/> at <paramref name="index"/> in the plan's list, or null.</summary>
    public ExportItem? Find(ExportKind kind, int index) => Items.FirstOrDefault(i => i.Kind == kind && i.Index == index);

    /// <summary>
    /// The items stored for a run's exports, from the two listings they are kept in: a verified export
    /// carries its item with its verified mark; items that could not be verified (and those of earlier
    /// versions) are entries of their own. Where both exist, for an item verified on a later attempt,
    /// the verified one is the item.
    /// </summary>
    internal static IEnumerable<ExportItem> Gather(IReadOnlyDictionary<string, StoredJson<ExportItem>> exports, IReadOnlyDictionary<string, StoredJson<ExportItem>> entries) =>
        exports.Values.Concat(entries.Values)
            .Select(stored => stored.Value)
            .OfType<ExportItem>()
            .GroupBy(item => (item.Kind, item.Index))
            .Select(same => same.OrderByDescending(item => item.Verified).First());

    /// <summary>
    /// Gathers the run's manifest from the two listings its exports are kept in (read side by side) and stores
    /// it as <see cref="WriteManifestActivity.ManifestBlob"/>.
    /// </summary>
    internal static async Task<RunManifest> GatherAsync(RunArtifactStore artifacts, string runId, CancellationToken cancellationToken)
    {
        var manifest = new RunManifest(runId, await GatherItemsAsync(artifacts, runId, cancellationToken));
        await artifacts.WriteJsonAsync(runId, WriteManifestActivity.ManifestBlob, manifest, cancellationToken);
        return manifest;
    }

    /// <summary>The items of the run's exports as stored now, in plan order, without storing a manifest.</summary>
    internal static async Task<List<ExportItem>> GatherItemsAsync(RunArtifactStore artifacts, string runId, CancellationToken cancellationToken)
    {
        var exported = artifacts.ListJsonAsync<ExportItem>(runId, "exports/", readUnlisted: false, cancellationToken);
        var entries = await artifacts.ListJsonAsync<ExportItem>(runId, ExportItem.ManifestFolder, cancellationToken);
        var items = Gather(await exported, entries).ToList();
        items.Sort((a, b) => (a.Kind, a.Index).CompareTo((b.Kind, b.Index)));
        return items;
    }

    /// <summary>The run's manifest, written when its exports were gathered: by the clone request, a dry run's end, or an export phase that failed.</summary>
    public static async Task<RunManifest> ReadAsync(RunArtifactStore artifacts, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        return await artifacts.ReadJsonAsync<RunManifest>(runId, WriteManifestActivity.ManifestBlob, cancellationToken)
            ?? throw new InvalidOperationException($"Run {runId} has no manifest: its exports were never gathered.");
    }
}

/// <summary>
/// Gathers the per-export manifest entries into <c>manifest.json</c>; returns how many are verified. A run that
/// goes on to the clone gathers it in <see cref="RequestCloneActivity"/>, where it is checked; this activity
/// gathers it where no clone follows: at the end of a dry run, or after an export phase with failures (so that
/// what failed, and why, is stored for people).
/// </summary>
public sealed class WriteManifestActivity(RunServices services) : CloneFlowActivity<RunRef, int>
{
    /// <summary>The manifest's name relative to the run.</summary>
    public const string ManifestBlob = "manifest.json";

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var manifest = await RunManifest.GatherAsync(services.Artifacts, input.RunId, CancellationToken.None);
        return manifest.Verified;
    }
}
