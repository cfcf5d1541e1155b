using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;
using CloneFlow.Core.Text;

namespace CloneFlow.Core.Activities;

/// <summary>One set before the clone and after the restore.</summary>
/// <param name="Name">The set.</param>
/// <param name="Kind"><c>local</c> or <c>remote</c>.</param>
/// <param name="StateBefore">State before the clone.</param>
/// <param name="StateAfter">State now (empty when the set is not there).</param>
/// <param name="UpdatesBefore">Updates exported.</param>
/// <param name="UpdatesAfter">Updates found on the target.</param>
/// <param name="Missing">Update names exported but not found.</param>
/// <param name="Changed">Update names found with a different payload hash.</param>
public sealed record SetVerification(string Name, string Kind, string StateBefore, string StateAfter, long UpdatesBefore, long UpdatesAfter, IReadOnlyList<string> Missing, IReadOnlyList<string> Changed);

/// <summary>The verification in counts (the list is in <c>verification.json</c>).</summary>
/// <param name="Sets">Sets compared.</param>
/// <param name="Identical">Sets restored with every update and state as before.</param>
/// <param name="Missing">Updates missing in all sets.</param>
/// <param name="Changed">Updates changed in all sets.</param>
public sealed record VerificationSummary(int Sets, int Identical, long Missing, long Changed)
{
    /// <summary>True when every set came back exactly.</summary>
    public bool Verified => Sets == Identical;
}

/// <summary>
/// Compares the target after the restore with the verified exports (runbook step 17): each set present,
/// same update names, same payload hashes, state as before the clone.
/// </summary>
public sealed class VerifyRestoreActivity(RunServices services) : CloneFlowActivity<RunRef, VerificationSummary>
{
    /// <summary>The verification list's blob name.</summary>
    public const string VerificationBlob = "verification.json";

    /// <inheritdoc />
    public override async Task<VerificationSummary> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var client = await services.Clients.GetAsync(plan.TargetInstance, cancellationToken);
        var manifest = await RunManifest.ReadAsync(services.Artifacts, input.RunId, cancellationToken);
        var local = new SetVerification[plan.LocalSets.Count];
        var remote = new SetVerification[plan.RemoteSets.Count];

        // Sets are compared side by side (each a few calls: the export read back, the set, its updates);
        // the client's request limit still bounds the calls in flight. The list keeps the plan's order.
        var sideBySide = new ParallelOptions { MaxDegreeOfParallelism = RestoredSets.SetsAtOnce, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, local.Length), sideBySide, async (index, token) =>
        {
            var set = plan.LocalSets[index];
            var item = ItemOf(manifest, ExportKind.LocalSet, index);
            var expected = await ExpectedAsync(input.RunId, item, token);
            var restored = await RestoredSets.LocalSetAsync(client, set.Name, token);
            var actual = restored is null ? [] : await ActualAsync(client, TableQuery.Where("update_set", restored.SysId), token);
            local[index] = Compare(set.Name, "local", set.State, restored?.Get("state") ?? string.Empty, expected, actual);
        });

        await Parallel.ForEachAsync(Enumerable.Range(0, remote.Length), sideBySide, async (index, token) =>
        {
            var set = plan.RemoteSets[index];
            var item = ItemOf(manifest, ExportKind.RemoteSet, index);
            var expected = await ExpectedAsync(input.RunId, item, token);
            var found = await client.GetRecordAsync(RemoteUpdateSetRecord.TableName, set.SysId, ["sys_id", "state"], token);
            var actual = found is null ? [] : await ActualAsync(client, TableQuery.Where("remote_update_set", set.SysId), token);

            // The state before the clone as it was: a previewed set is previewed again after its re-insertion.
            remote[index] = Compare(set.Name, "remote", set.State, found?.Get("state") ?? string.Empty, expected, actual);
        });

        var results = local.Concat(remote).ToList();
        await services.Artifacts.WriteJsonAsync(input.RunId, VerificationBlob, results, cancellationToken);
        return new VerificationSummary(
            results.Count,
            results.Count(r => r.Missing.Count == 0 && r.Changed.Count == 0 && r.StateAfter == r.StateBefore),
            results.Sum(r => (long)r.Missing.Count),
            results.Sum(r => (long)r.Changed.Count));
    }

    private static SetVerification Compare(string name, string kind, string stateBefore, string stateAfter, Dictionary<string, string?> expected, Dictionary<string, string?> actual)
    {
        var missing = expected.Keys.Where(k => !actual.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var changed = expected.Where(e => actual.TryGetValue(e.Key, out var hash) && hash != e.Value).Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        return new SetVerification(name, kind, stateBefore, stateAfter, expected.Count, actual.Count, missing, changed);
    }

    private static ExportItem ItemOf(RunManifest manifest, ExportKind kind, int index) =>
        manifest.Find(kind, index) ?? throw new InvalidOperationException($"Run {manifest.RunId} has no manifest entry for {kind} #{index}.");

    /// <summary>Update name to payload hash, from the verified export.</summary>
    private async Task<Dictionary<string, string?>> ExpectedAsync(string runId, ExportItem item, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using var stream = await services.Artifacts.OpenReadAsync(runId, item.Blob, cancellationToken);
        await UpdateSetFileScanner.ScanAsync(stream, (update, _) =>
        {
            hashes[update.Name ?? update.SysId ?? string.Empty] = update.PayloadSha256;
            return ValueTask.CompletedTask;
        }, cancellationToken);
        return hashes;
    }

    /// <summary>Update name to payload hash, as the target has them now.</summary>
    private static async Task<Dictionary<string, string?>> ActualAsync(ServiceNowClient client, TableQuery query, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var row in client.GetRecordsAsync("sys_update_xml", query, ["sys_id", "name", "payload"], pageSize: 100, cancellationToken: cancellationToken))
        {
            hashes[row.Get("name") ?? row.SysId] = row.Get("payload") is { } payload ? TextSha256.Hex(payload) : null;
        }

        return hashes;
    }
}
