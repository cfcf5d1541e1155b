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
        var items = new List<ExportItem>();
        foreach (var artifact in await services.Artifacts.ListAsync(input.RunId))
        {
            var relative = artifact.Name[$"runs/{input.RunId}/".Length..];
            if (relative.StartsWith("manifest/", StringComparison.Ordinal)
                && await services.Artifacts.ReadJsonAsync<ExportItem>(input.RunId, relative) is { } item)
            {
                items.Add(item);
            }
        }

        items.Sort((a, b) => (a.Kind, a.Index).CompareTo((b.Kind, b.Index)));
        await services.Artifacts.WriteJsonAsync(input.RunId, ManifestBlob, new RunManifest(input.RunId, items));
        return items.Count(i => i.Verified);
    }
}
