using System.Security.Cryptography;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Runs;
using CloneFlow.IntegrationTests.Workflow;
using CloneFlow.Simulator;

namespace CloneFlow.IntegrationTests.Drills;

/// <summary>
/// What must hold after any drill, checked against the simulator's and Azurite's real state (never
/// against what the run says about itself): exports verified in Blob storage before any clone, no
/// record twice on the target, at most one clone request.
/// </summary>
internal static class DrillInvariants
{
    /// <summary>Natural keys per table: two rows with the same key are the same record inserted twice.</summary>
    private static readonly (string Table, Func<IReadOnlyDictionary<string, string>, string> Key)[] NaturalKeys =
    [
        ("sys_update_xml", r => $"{r.GetValueOrDefault("update_set")}|{r.GetValueOrDefault("remote_update_set")}|{r.GetValueOrDefault("name")}"),
        ("sys_update_set", r => r.GetValueOrDefault("name") ?? string.Empty),
        ("sys_remote_update_set", r => $"{r.GetValueOrDefault("name")}|{r.GetValueOrDefault("remote_sys_id")}"),
        ("ecc_agent", r => r.GetValueOrDefault("name") ?? string.Empty),
        ("sys_app", r => r.GetValueOrDefault("scope") ?? r.GetValueOrDefault("name") ?? string.Empty),
    ];

    /// <summary>How often each natural key occurs on prod and test before the run (the clone copies prod's rows to test).</summary>
    public static Dictionary<string, int> Baseline(SimulatorHost simulator)
    {
        var baseline = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var instance in new[] { "prod", "test" })
        {
            foreach (var (key, count) in KeyCounts(simulator[instance]))
            {
                baseline[key] = Math.Max(baseline.GetValueOrDefault(key), count);
            }
        }

        return baseline;
    }

    /// <summary>Keys that now occur more often on the target than they ever did before the run.</summary>
    public static List<string> Duplicates(SimulatorHost simulator, Dictionary<string, int> baseline) =>
        KeyCounts(simulator["test"])
            .Where(k => k.Value > Math.Max(1, baseline.GetValueOrDefault(k.Key)))
            .Select(k => $"{k.Key} x{k.Value}")
            .ToList();

    public static int CloneRequests(SimulatorHost simulator) =>
        simulator["prod"].GetRecords("sn_instance_clone_request", "target_instance=test").Count;

    /// <summary>
    /// Problems with the run's exports: the manifest must list every planned export, each verified, each
    /// blob marked verified and hashing to the manifest's SHA-256 when read back from Azurite now.
    /// </summary>
    public static async Task<List<string>> ExportProblemsAsync(WorkflowHarness harness, string runId)
    {
        var problems = new List<string>();
        var plan = await harness.ReadJsonAsync<RunPlan>(runId, PlanActivity.PlanBlob);
        var manifest = await harness.ReadJsonAsync<RunManifest>(runId, WriteManifestActivity.ManifestBlob);
        if (plan is null || manifest is null)
        {
            return [$"plan {(plan is null ? "missing" : "present")}, manifest {(manifest is null ? "missing" : "present")}"];
        }

        var expected = plan.LocalSets.Count + plan.RemoteSets.Count + 1 + plan.ScopedApps.Count + plan.AppTables.Count + plan.ExtraTables.Count;
        if (manifest.Items.Count != expected)
        {
            problems.Add($"manifest lists {manifest.Items.Count} exports, the plan needs {expected}");
        }

        var blobs = (await harness.Artifacts.ListAsync(runId)).ToDictionary(a => a.Name, StringComparer.Ordinal);
        foreach (var item in manifest.Items)
        {
            var name = $"runs/{runId}/{item.Blob}";
            if (!item.Verified)
            {
                problems.Add($"{item.Kind} #{item.Index} {item.Name}: not verified ({item.Error})");
                continue;
            }

            if (!blobs.TryGetValue(name, out var blob) || !blob.Verified)
            {
                problems.Add($"{name}: {(blob is null ? "missing from Blob storage" : "not marked verified")}");
                continue;
            }

            await using var stream = await harness.Artifacts.OpenReadAsync(runId, item.Blob);
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
            if (!string.Equals(actual, item.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{name}: SHA-256 {actual} in Blob storage, {item.Sha256} in the manifest");
            }
        }

        return problems;
    }

    private static Dictionary<string, int> KeyCounts(SimulatedInstance instance)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (table, key) in NaturalKeys)
        {
            foreach (var row in instance.GetRecords(table))
            {
                var name = $"{table}:{key(row)}";
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }
        }

        return counts;
    }
}
