using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.IntegrationTests.Activities;

/// <summary>One export chunk against the simulator over HTTP and Azurite: what it stores, and what it asks storage for.</summary>
public sealed class ExportActivityTests : IAsyncLifetime
{
    private readonly StorageRecorder _storage = new();
    private ActivityStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await ActivityStack.StartAsync(new EstateOptions { InProgressSets = 12, UpdatesPerSet = 150, PayloadBytes = 600 }, _storage);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_chunk_verifies_every_set_with_three_storage_requests_each_and_a_second_attempt_exports_nothing_again()
    {
        var (runId, plan) = await PlanAsync();
        var chunk = new ExportChunk(runId, "test", ExportKind.LocalSet, 0, plan.LocalSets.Count);
        Assert.True(plan.LocalSets.Count >= 10, "the estate should give a chunk of many sets");
        Assert.Contains(plan.LocalSets, s => s.Updates > 100);

        _storage.Clear();
        var result = await new ExportActivity(_stack.Services).ExecuteAsync(chunk);

        // Per set: the export (one Put Blob when it fits in one request, else its blocks and the block list),
        // its read-back, and the verified mark with the set's manifest item; per chunk: the plan, two
        // listings and the run's clone-request record (absent: no clone of the run, so the target may be
        // read). Nothing is looked up blob by blob before it is written, and no entry is written apart.
        var (requests, lookups, listings) = (_storage.Requests.Count, _storage.Count("HEAD"), _storage.Count("GET", "comp=list"));
        var entryPaths = _storage.Paths("PUT").Where(p => p.Contains("/manifest/", StringComparison.Ordinal)).ToList();
        var exports = (await _stack.Services.Artifacts.ListAsync(runId)).Where(a => a.Name.Contains("/exports/local/", StringComparison.Ordinal)).ToList();
        var uploads = _storage.Requests.Count(r => r.Method == "PUT" && r.Path.Contains("/exports/local/", StringComparison.Ordinal) && !r.Query.Contains("comp=metadata", StringComparison.Ordinal));
        Assert.Equal(plan.LocalSets.Count, exports.Count);
        Assert.Equal(0, lookups);
        Assert.Equal(2, listings);
        Assert.Empty(entryPaths);
        Assert.Equal(uploads + (2 * plan.LocalSets.Count) + 4, requests);

        // Compressed, even the set with the multi-MB payload is one Put Blob.
        Assert.Contains(exports, e => e.Bytes > RunArtifactStore.SingleRequestLimit);
        Assert.Equal(plan.LocalSets.Count, uploads);

        Assert.Equal(plan.LocalSets.Count, result.Verified);
        Assert.Equal(0, result.Failed);
        Assert.All(exports, a => Assert.True(a.Verified, a.Name));

        // The manifest gathers every item from the exports in one listing.
        Assert.Equal(plan.LocalSets.Count, await new WriteManifestActivity(_stack.Services).ExecuteAsync(new RunRef(runId, "test")));
        var manifest = await RunManifest.ReadAsync(_stack.Services.Artifacts, runId, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, plan.LocalSets.Count), manifest.Items.Select(i => i.Index));
        Assert.All(manifest.Items, i => Assert.Equal(exports.Single(e => e.Name.EndsWith(i.Blob, StringComparison.Ordinal)).Sha256, i.Sha256));

        // The activity runs again (a redelivered work item): every set is verified, nothing is written.
        _storage.Clear();
        var again = await new ExportActivity(_stack.Services).ExecuteAsync(chunk);
        Assert.Equal(plan.LocalSets.Count, again.Verified);
        Assert.Equal(0, _storage.Count("PUT"));
    }

    [Fact]
    public async Task The_plan_notes_where_each_page_of_a_set_starts_and_the_export_asks_for_each_page_once()
    {
        var (runId, plan) = await PlanAsync();
        var test = _stack.Simulator["test"];
        foreach (var set in plan.LocalSets)
        {
            var ids = test.GetRecords("sys_update_xml", $"update_set={set.SysId}").Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(ids.Where((_, i) => i > 0 && i % PlannedSet.PageSize == 0), set.PageStarts);
        }

        Assert.Contains(plan.LocalSets, s => s.PageStarts.Count > 0);
        var before = test.ApiCalls;

        var result = await new ExportActivity(_stack.Services).ExecuteAsync(new ExportChunk(runId, "test", ExportKind.LocalSet, 0, plan.LocalSets.Count));

        // Every range is one full page (nothing changed since the plan): one request per page (a batch parent
        // without updates of its own asks once, for nothing), none for a partly filled or empty last page, and
        // one for the chunk's set rows.
        Assert.Equal(plan.LocalSets.Count, result.Verified);
        Assert.Contains(plan.LocalSets, s => s.Updates == 0);
        Assert.Equal(plan.LocalSets.Sum(s => Math.Max(1, (s.Updates + PlannedSet.PageSize - 1) / PlannedSet.PageSize)) + 1, test.ApiCalls - before);
    }

    [Fact]
    public async Task Updates_added_to_a_set_after_the_plan_are_exported_and_counted_whichever_page_they_fall_in()
    {
        var (runId, plan) = await PlanAsync();
        var index = plan.LocalSets.ToList().FindIndex(s => s.PageStarts.Count > 0);
        var set = plan.LocalSets[index];
        var test = _stack.Simulator["test"];
        var template = test.GetRecords("sys_update_xml", $"update_set={set.SysId}")[0];
        // Below the first page, on a page start's neighbour, and above the last page.
        string[] added = ["00000000000000000000000000000001", set.PageStarts[0][..^1] + (set.PageStarts[0][^1] == 'f' ? "e" : "f"), "fffffffffffffffffffffffffffffffe"];
        foreach (var id in added)
        {
            test.InsertRecord("sys_update_xml", new Dictionary<string, string>(template) { ["sys_id"] = id, ["name"] = $"{template["name"]}_{id}" });
        }

        var result = await new ExportActivity(_stack.Services).ExecuteAsync(new ExportChunk(runId, "test", ExportKind.LocalSet, index, 1));

        Assert.Equal(1, result.Verified);
        Assert.Equal(1, await new WriteManifestActivity(_stack.Services).ExecuteAsync(new RunRef(runId, "test")));
        var item = (await RunManifest.ReadAsync(_stack.Services.Artifacts, runId, CancellationToken.None)).Items.Single();
        Assert.Equal((index, set.Updates + added.Length, set.Updates + added.Length), (item.Index, item.Expected, item.Found));
    }

    [Fact]
    public async Task A_verified_export_without_its_item_is_kept_and_its_item_becomes_an_entry()
    {
        var (runId, plan) = await PlanAsync();
        var chunk = new ExportChunk(runId, "test", ExportKind.LocalSet, 0, plan.LocalSets.Count);
        await new ExportActivity(_stack.Services).ExecuteAsync(chunk);
        var blob = RunArtifactStore.BlobName(runId, $"exports/local/00003-{plan.LocalSets[3].SysId}.xml");
        var before = (await _stack.Services.Artifacts.ListAsync(runId)).Single(a => a.Name == blob);

        // A verified export that carries no item (as an earlier version left them).
        var container = new BlobContainerClient(_stack.Azurite.ConnectionString, "cloneflow-runs");
        var metadata = (await container.GetBlobClient(blob).GetPropertiesAsync()).Value.Metadata;
        metadata.Remove("cloneflow_json");
        await container.GetBlobClient(blob).SetMetadataAsync(metadata);
        _storage.Clear();
        var result = await new ExportActivity(_stack.Services).ExecuteAsync(chunk);

        Assert.Equal(plan.LocalSets.Count, result.Verified);
        var entry = await _stack.Services.Artifacts.ReadJsonAsync<ExportItem>(runId, ExportItem.ManifestName(ExportKind.LocalSet, 3));
        Assert.True(entry!.Verified);
        Assert.Equal(before.Sha256, entry.Sha256);
        Assert.Equal(before.Sha256, (await _stack.Services.Artifacts.GetInfoAsync(runId, entry.Blob))!.Sha256);

        // Only the entry was written; the verified export was not replaced.
        Assert.Equal([RunArtifactStore.BlobName(runId, ExportItem.ManifestName(ExportKind.LocalSet, 3))], _storage.Paths("PUT"));
        Assert.Equal(plan.LocalSets.Count, await new WriteManifestActivity(_stack.Services).ExecuteAsync(new RunRef(runId, "test")));
    }

    [Fact]
    public async Task A_set_deleted_after_the_plan_fails_the_chunk_with_its_name_while_its_first_page_is_on_the_way()
    {
        var (runId, plan) = await PlanAsync();
        var gone = plan.LocalSets[2];
        _stack.Simulator["test"].DeleteRecord("sys_update_set", gone.SysId);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new ExportActivity(_stack.Services).ExecuteAsync(new ExportChunk(runId, "test", ExportKind.LocalSet, 0, plan.LocalSets.Count)));

        Assert.Contains(gone.Name, error.Message, StringComparison.Ordinal);
        Assert.Contains("gone from the target", error.Message, StringComparison.Ordinal);
        Assert.Null(await _stack.Services.Artifacts.GetInfoAsync(runId, $"exports/local/00002-{gone.SysId}.xml"));
    }

    private Task<(string RunId, RunPlan Plan)> PlanAsync() => _stack.PlanAsync();

    /// <summary>Records every storage request: method, path and query.</summary>
    private sealed class StorageRecorder : HttpPipelineSynchronousPolicy
    {
        private readonly List<(string Method, string Path, string Query)> _requests = [];

        public IReadOnlyList<(string Method, string Path, string Query)> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public int Count(string method, string? query = null) => Requests.Count(r => r.Method == method && (query is null || r.Query.Contains(query, StringComparison.Ordinal)));

        public List<string> Paths(string method) => Requests.Where(r => r.Method == method).Select(r => Uri.UnescapeDataString(r.Path[(r.Path.IndexOf("/cloneflow-runs/", StringComparison.Ordinal) + "/cloneflow-runs/".Length)..])).ToList();

        public void Clear()
        {
            lock (_requests)
            {
                _requests.Clear();
            }
        }

        public override void OnSendingRequest(HttpMessage message)
        {
            lock (_requests)
            {
                _requests.Add((message.Request.Method.ToString(), message.Request.Uri.Path, message.Request.Uri.Query));
            }
        }
    }
}
