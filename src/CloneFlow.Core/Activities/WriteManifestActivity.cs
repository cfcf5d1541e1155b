using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;

namespace CloneFlow.Core.Activities;

/// <summary>The run's manifest: every export with its hash, counts and verification.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Items">The exports.</param>
public sealed record RunManifest(string RunId, IReadOnlyList<ExportItem> Items);

/// <summary>Gathers the per-export manifest entries into <c>manifest.json</c>; returns how many are verified.</summary>
public sealed class WriteManifestActivity(RunServices services) : CloneFlowActivity<RunRef, int>
{
    /// <summary>The manifest's name relative to the run.</summary>
    public const string ManifestBlob = "manifest.json";

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // One listing: each entry also carries its item in its metadata (entries written by earlier
        // versions are read). This runs after the last export, so whatever it waits for is time added to
        // the export phase (a 50-set run has more than 50 entries).
        var items = (await services.Artifacts.ListJsonAsync<ExportItem>(input.RunId, "manifest/"))
            .Values.Select(entry => entry.Value).OfType<ExportItem>().ToList();
        items.Sort((a, b) => (a.Kind, a.Index).CompareTo((b.Kind, b.Index)));
        await services.Artifacts.WriteJsonAsync(input.RunId, ManifestBlob, new RunManifest(input.RunId, items));
        return items.Count(i => i.Verified);
    }
}
