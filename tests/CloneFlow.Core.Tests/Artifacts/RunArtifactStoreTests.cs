using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.ServiceNow.UpdateSets;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.Artifacts;

[Collection(AzuriteGroup.Name)]
public class RunArtifactStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_export_streams_in_with_its_hash_and_verifies_by_reading_back()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        var options = new UpdateSetSampleOptions { Updates = 300, PayloadBytes = 8000 };
        using var expected = new MemoryStream();
        await UpdateSetSample.WriteAsync(expected, options);

        var written = await store.WriteAsync("clone-test-20261125", "exports/local/sprint48.xml", "application/xml", (stream, token) => UpdateSetSample.WriteAsync(stream, options, token));
        long updatesSeen = 0;
        var verified = await store.VerifyAsync("clone-test-20261125", "exports/local/sprint48.xml", written.Sha256, async (stream, token) =>
            updatesSeen = (await UpdateSetFileScanner.ScanAsync(stream, cancellationToken: token)).Updates);

        Assert.Equal("runs/clone-test-20261125/exports/local/sprint48.xml", written.Name);
        Assert.Equal(expected.Length, written.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected.ToArray())), written.Sha256);
        Assert.False(written.Verified);
        Assert.True(verified.Verified);
        Assert.Equal(300, updatesSeen);
        Assert.True((await store.GetInfoAsync("clone-test-20261125", "exports/local/sprint48.xml"))!.Verified);
    }

    [Fact]
    public async Task A_write_cut_off_leaves_nothing_behind_even_after_blocks_went_up()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("run1", "exports/local/00000-a.xml", "application/xml", async (stream, token) =>
        {
            // Over a megabyte: several blocks are staged before the write fails.
            await stream.WriteAsync(new byte[1_300_000], token);
            throw new IOException("storage went away");
        }));

        Assert.Null(await store.GetInfoAsync("run1", "exports/local/00000-a.xml"));
        Assert.Empty(await store.ListAsync("run1"));
        var retried = await store.WriteAsync("run1", "exports/local/00000-a.xml", "application/xml", Write("<unload/>"));
        Assert.Equal(9, retried.Bytes);
    }

    [Fact]
    public async Task An_empty_blob_left_by_an_earlier_version_reads_as_absent_and_is_replaced_by_the_next_write()
    {
        // Found by the fault drills: Azurite restarted during the export left a manifest entry empty (earlier
        // versions created the blob empty when a write opened), and every retry failed parsing it.
        var container = await azurite.NewContainerAsync();
        var store = new RunArtifactStore(container);
        await container.GetBlobClient("runs/run1/manifest/LocalSet-00000.json").UploadAsync(BinaryData.FromBytes([]));

        Assert.Null(await store.ReadJsonAsync<Dictionary<string, string>>("run1", "manifest/LocalSet-00000.json"));
        await store.WriteJsonAsync("run1", "manifest/LocalSet-00000.json", new Dictionary<string, string> { ["name"] = "sprint 48" });
        Assert.Equal("sprint 48", (await store.ReadJsonAsync<Dictionary<string, string>>("run1", "manifest/LocalSet-00000.json"))!["name"]);
    }

    [Fact]
    public async Task A_verified_artifact_is_never_overwritten()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        var first = await store.WriteAsync("run1", "plugins.json", "application/json", Write("[\"com.a\"]"));
        await store.VerifyAsync("run1", "plugins.json", first.Sha256);

        await Assert.ThrowsAsync<ArtifactAlreadyVerifiedException>(() => store.WriteAsync("run1", "plugins.json", "application/json", Write("[]")));

        await using var stream = await store.OpenReadAsync("run1", "plugins.json");
        Assert.Equal("[\"com.a\"]", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task An_unverified_artifact_from_an_earlier_attempt_is_replaced()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        await store.WriteAsync("run1", "exports/a.xml", "application/xml", Write("partial attempt"));

        var second = await store.WriteAsync("run1", "exports/a.xml", "application/xml", Write("whole"));

        Assert.Equal(5, second.Bytes);
        Assert.Equal(second.Sha256, (await store.GetInfoAsync("run1", "exports/a.xml"))!.Sha256);
    }

    [Fact]
    public async Task A_blob_that_does_not_read_back_as_written_is_not_verified()
    {
        var container = await azurite.NewContainerAsync();
        var store = new RunArtifactStore(container);
        var written = await store.WriteAsync("run1", "exports/a.xml", "application/xml", Write("original"));
        await container.GetBlobClient(written.Name).UploadAsync(BinaryData.FromString("tampered"), overwrite: true);

        var error = await Assert.ThrowsAsync<ArtifactVerificationException>(() => store.VerifyAsync("run1", "exports/a.xml", written.Sha256));

        Assert.Contains(written.Sha256, error.Message, StringComparison.Ordinal);
        Assert.False((await store.GetInfoAsync("run1", "exports/a.xml"))!.Verified);
    }

    [Fact]
    public async Task A_failing_inspection_leaves_the_artifact_unverified()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        var written = await store.WriteAsync("run1", "exports/bad.xml", "application/xml", Write("<unload><sys_update_xml>"));

        await Assert.ThrowsAsync<UpdateSetFormatException>(() => store.VerifyAsync("run1", "exports/bad.xml", written.Sha256, (s, t) => UpdateSetFileScanner.ScanAsync(s, cancellationToken: t)));

        Assert.False((await store.GetInfoAsync("run1", "exports/bad.xml"))!.Verified);
    }

    [Fact]
    public async Task Json_documents_round_trip_and_runs_are_listed_by_prefix()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        await store.WriteJsonAsync("run1", "plan.json", new { Target = "test", Sets = 3 });
        await store.WriteJsonAsync("run2", "plan.json", new { Target = "dev", Sets = 1 });

        var plan = await store.ReadJsonAsync<Dictionary<string, object>>("run1", "plan.json");
        var listed = await store.ListAsync("run1");

        Assert.Equal("test", plan!["target"].ToString());
        Assert.Equal(["runs/run1/plan.json"], listed.Select(a => a.Name));
        Assert.Null(await store.ReadJsonAsync<Dictionary<string, object>>("run1", "missing.json"));
    }

    [Theory]
    [InlineData("run1", "../run2/plan.json")]
    [InlineData("run1", "/etc/passwd")]
    [InlineData("run/1", "plan.json")]
    [InlineData("run1", "a//b")]
    public void Names_cannot_leave_the_run_folder(string runId, string name)
    {
        Assert.Throws<ArgumentException>(() => RunArtifactStore.BlobName(runId, name));
    }

    [Fact]
    public async Task A_concurrent_first_write_cannot_be_silently_lost()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        var gate = new TaskCompletionSource();

        var slow = store.WriteAsync("run1", "exports/race.xml", "application/xml", async (stream, token) =>
        {
            await gate.Task;
            await stream.WriteAsync(Encoding.UTF8.GetBytes("slow"), token);
        });
        var fast = store.WriteAsync("run1", "exports/race.xml", "application/xml", Write("fast"));
        await Task.WhenAny(fast, Task.Delay(2000));
        gate.SetResult();
        var outcomes = await Task.WhenAll(Settle(slow), Settle(fast));

        // Exactly one writer wins; the other fails loudly instead of overwriting it unseen.
        Assert.Single(outcomes, o => o is RequestFailedException);
        var winner = Assert.Single(outcomes.OfType<ArtifactInfo>());
        Assert.Equal(winner.Sha256, (await store.GetInfoAsync("run1", "exports/race.xml"))!.Sha256);
    }

    [Fact]
    public async Task A_write_over_a_version_seen_in_a_listing_creates_or_replaces_only_that_version()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        await store.WriteAsync("run1", "exports/local/00000-a.xml", "application/xml", Write("earlier attempt"));
        var verifiedOne = await store.WriteAsync("run1", "exports/local/00001-b.xml", "application/xml", Write("done"));
        await store.VerifyAsync("run1", "exports/local/00001-b.xml", verifiedOne.Sha256);
        await store.WriteAsync("run1", "exports/remote/00000-c.xml", "application/xml", Write("other folder"));

        var seen = (await store.ListJsonAsync<Entry>("run1", "exports/local/", readUnlisted: false)).ToDictionary(listed => listed.Key, listed => listed.Value.Version);

        Assert.Equal(["exports/local/00000-a.xml", "exports/local/00001-b.xml"], seen.Keys.Order(StringComparer.Ordinal));
        Assert.False(seen["exports/local/00000-a.xml"].Verified);
        Assert.True(seen["exports/local/00001-b.xml"].Verified);

        // The unverified version seen is replaced; nothing seen means create only; a verified one never.
        var replaced = await store.WriteAsync("run1", "exports/local/00000-a.xml", "application/xml", Write("whole"), seen["exports/local/00000-a.xml"]);
        Assert.Equal(5, replaced.Bytes);
        await store.WriteAsync("run1", "exports/local/00002-d.xml", "application/xml", Write("new"), existing: null);
        await Assert.ThrowsAsync<RequestFailedException>(() => store.WriteAsync("run1", "exports/local/00002-d.xml", "application/xml", Write("unseen overwrite"), existing: null));
        await Assert.ThrowsAsync<RequestFailedException>(() => store.WriteAsync("run1", "exports/local/00000-a.xml", "application/xml", Write("stale view"), seen["exports/local/00000-a.xml"]));
        await Assert.ThrowsAsync<ArtifactAlreadyVerifiedException>(() => store.WriteAsync("run1", "exports/local/00001-b.xml", "application/xml", Write("again"), seen["exports/local/00001-b.xml"]));

        await using var stream = await store.OpenReadAsync("run1", "exports/local/00002-d.xml");
        Assert.Equal("new", await new StreamReader(stream).ReadToEndAsync());
    }

    [Theory]
    [InlineData("../run2/")]
    [InlineData("/etc")]
    [InlineData("a//b")]
    public async Task Listing_prefixes_cannot_leave_the_run_folder(string prefix)
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => store.ListJsonAsync<Entry>("run1", prefix));
    }

    [Fact]
    public async Task Listed_json_documents_come_back_from_one_listing_and_others_are_read()
    {
        var (container, recorder) = await RecordedContainerAsync();
        var store = new RunArtifactStore(container);
        for (var i = 0; i < 5; i++)
        {
            await store.WriteListedJsonAsync("run1", $"manifest/localset-{i:D5}.json", new Entry($"sprint {i} — Ünïcode", i), existing: null);
        }

        // Written by an earlier version (no metadata), too large for metadata, and empty (a cut-off write of old).
        await store.WriteJsonAsync("run1", "manifest/localset-00005.json", new Entry("old writer", 5));
        await store.WriteListedJsonAsync("run1", "manifest/localset-00006.json", new Entry(new string('x', 6000), 6), existing: null);
        await container.GetBlobClient("runs/run1/manifest/localset-00007.json").UploadAsync(BinaryData.FromBytes([]));

        recorder.Requests.Clear();
        var listed = await store.ListJsonAsync<Entry>("run1", "manifest/localset-");

        Assert.Equal(8, listed.Count);
        Assert.Equal("sprint 3 — Ünïcode", listed["manifest/localset-00003.json"].Value!.Name);
        Assert.Equal("old writer", listed["manifest/localset-00005.json"].Value!.Name);
        Assert.Equal(6000, listed["manifest/localset-00006.json"].Value!.Name.Length);
        Assert.Null(listed["manifest/localset-00007.json"].Value);

        // One listing, and a read for each of the three documents the listing could not carry.
        Assert.Equal(1, recorder.Requests.Count(r => r.Contains("comp=list", StringComparison.Ordinal)));
        Assert.Equal(3, recorder.Requests.Count(r => r.StartsWith("GET", StringComparison.Ordinal) && !r.Contains("comp=list", StringComparison.Ordinal)));

        // The version each was seen at is what a later write replaces.
        await store.WriteListedJsonAsync("run1", "manifest/localset-00003.json", new Entry("retried", 3), listed["manifest/localset-00003.json"].Version);
        Assert.Equal("retried", (await store.ReadJsonAsync<Entry>("run1", "manifest/localset-00003.json"))!.Name);
    }

    [Fact]
    public async Task An_artifact_up_to_the_single_request_limit_is_one_put_unless_it_is_expected_to_be_larger()
    {
        var (container, recorder) = await RecordedContainerAsync();
        var store = new RunArtifactStore(container);
        var content = new byte[RunArtifactStore.SingleRequestLimit - 10];
        recorder.Requests.Clear();

        await store.WriteAsync("run1", "exports/a.xml", "application/xml", (stream, token) => stream.WriteAsync(content, token).AsTask(), existing: null);
        var single = recorder.Requests.Where(r => r.StartsWith("PUT", StringComparison.Ordinal)).ToList();
        recorder.Requests.Clear();

        // Expected larger (a set of thousands of updates): blocks from the first byte, no buffer of the limit's size.
        await store.WriteAsync("run1", "exports/b.xml", "application/xml", (stream, token) => stream.WriteAsync(content, token).AsTask(), existing: null, expectedBytes: 10L * RunArtifactStore.SingleRequestLimit);
        var blocks = recorder.Requests.Where(r => r.StartsWith("PUT", StringComparison.Ordinal)).ToList();

        Assert.Single(single);
        Assert.Equal((content.Length + RunArtifactStore.BlockSize - 1) / RunArtifactStore.BlockSize, blocks.Count(r => r.Contains("comp=block&", StringComparison.Ordinal) || r.EndsWith("comp=block", StringComparison.Ordinal)));
        Assert.Single(blocks, r => r.Contains("comp=blocklist", StringComparison.Ordinal));
        Assert.Equal(content.Length, (await store.GetInfoAsync("run1", "exports/b.xml"))!.Bytes);
    }

    [Fact]
    public async Task A_document_listed_with_the_verified_mark_comes_back_with_the_export_in_one_listing()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        var small = await store.WriteAsync("run1", "exports/local/00000-a.xml", "application/xml", Write("<unload/>"));
        var large = await store.WriteAsync("run1", "exports/local/00001-b.xml", "application/xml", Write("<unload></unload>"));
        await store.WriteAsync("run1", "exports/local/00002-c.xml", "application/xml", Write("not verified"));

        var listed = await store.VerifyAndListAsync("run1", "exports/local/00000-a.xml", small.Sha256, null, info => new Entry($"{info.Bytes} bytes", 0));
        var unlisted = await store.VerifyAndListAsync("run1", "exports/local/00001-b.xml", large.Sha256, null, _ => new Entry(new string('x', 6000), 1));
        var seen = await store.ListJsonAsync<Entry>("run1", "exports/local/", readUnlisted: false);

        Assert.True(listed.Listed);
        Assert.Equal(new Entry("9 bytes", 0), listed.Document);
        Assert.False(unlisted.Listed);
        Assert.Equal(new Entry("9 bytes", 0), seen["exports/local/00000-a.xml"].Value);
        Assert.True(seen["exports/local/00000-a.xml"].Version.Verified);

        // Too large for metadata: verified, but its document is the caller's to keep; never read as JSON.
        Assert.Null(seen["exports/local/00001-b.xml"].Value);
        Assert.True(seen["exports/local/00001-b.xml"].Version.Verified);
        Assert.Null(seen["exports/local/00002-c.xml"].Value);
        Assert.False(seen["exports/local/00002-c.xml"].Version.Verified);
        Assert.All(await store.ListAsync("run1"), a => Assert.Equal(a.Name.Contains("00002", StringComparison.Ordinal) ? false : true, a.Verified));
    }

    [Fact]
    public async Task A_failing_check_stores_neither_the_verified_mark_nor_the_document()
    {
        var store = new RunArtifactStore(await azurite.NewContainerAsync());
        var written = await store.WriteAsync("run1", "exports/a.xml", "application/xml", Write("<unload/>"));

        await Assert.ThrowsAsync<ArtifactVerificationException>(() => store.VerifyAndListAsync("run1", "exports/a.xml", written.Sha256, (_, _) => throw new ArtifactVerificationException("count differs"), _ => new Entry("never stored", 0)));

        var seen = await store.ListJsonAsync<Entry>("run1", "exports/", readUnlisted: false);
        Assert.Null(seen["exports/a.xml"].Value);
        Assert.False(seen["exports/a.xml"].Version.Verified);
    }

    [Fact]
    public async Task A_compressed_export_is_stored_as_gzip_and_reads_back_as_written()
    {
        var container = await azurite.NewContainerAsync();
        var store = new RunArtifactStore(container);
        var options = new UpdateSetSampleOptions { Updates = 300, PayloadBytes = 8000 };
        using var expected = new MemoryStream();
        await UpdateSetSample.WriteAsync(expected, options);

        var written = await store.WriteAsync("run1", "exports/local/00000-a.xml", "application/xml", (stream, token) => UpdateSetSample.WriteAsync(stream, options, token), existing: null, compressed: true);
        long updatesSeen = 0;
        var verified = await store.VerifyAsync("run1", "exports/local/00000-a.xml", written.Sha256, async (stream, token) =>
            updatesSeen = (await UpdateSetFileScanner.ScanAsync(stream, cancellationToken: token)).Updates);

        // Length and hash are the content's, wherever they are read; the blob holds far fewer bytes.
        Assert.Equal(expected.Length, written.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected.ToArray())), written.Sha256);
        Assert.True(verified.Verified);
        Assert.Equal(300, updatesSeen);
        Assert.Equal(expected.Length, (await store.GetInfoAsync("run1", "exports/local/00000-a.xml"))!.Bytes);
        Assert.Equal(expected.Length, Assert.Single(await store.ListAsync("run1")).Bytes);
        await using (var read = await store.OpenReadAsync("run1", "exports/local/00000-a.xml"))
        using (var copy = new MemoryStream())
        {
            await read.CopyToAsync(copy);
            Assert.Equal(expected.ToArray(), copy.ToArray());
        }

        // Plain gzip with its Content-Encoding: a browser, the portal or azcopy --decompress gets the XML.
        var blob = container.GetBlobClient(written.Name);
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("gzip", properties.ContentEncoding);
        Assert.Equal("application/xml", properties.ContentType);
        Assert.True(properties.ContentLength < expected.Length / 2, $"{properties.ContentLength} stored for {expected.Length}");
        await using var gzip = new GZipStream(new MemoryStream((await blob.DownloadContentAsync()).Value.Content.ToArray()), CompressionMode.Decompress);
        using var decompressed = new MemoryStream();
        await gzip.CopyToAsync(decompressed);
        Assert.Equal(expected.ToArray(), decompressed.ToArray());
    }

    [Fact]
    public async Task A_compressed_export_damaged_in_storage_is_not_verified()
    {
        var container = await azurite.NewContainerAsync();
        var store = new RunArtifactStore(container);
        var options = new UpdateSetSampleOptions { Updates = 50 };
        var written = await store.WriteAsync("run1", "exports/a.xml", "application/xml", (stream, token) => UpdateSetSample.WriteAsync(stream, options, token), existing: null, compressed: true);
        var blob = container.GetBlobClient(written.Name);
        var stored = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        stored[stored.Length / 2] ^= 0x5A;
        await blob.UploadAsync(BinaryData.FromBytes(stored), new Azure.Storage.Blobs.Models.BlobUploadOptions { HttpHeaders = new() { ContentType = "application/xml", ContentEncoding = "gzip" } });

        // Read back with the update-set scan, the damage shows as a broken gzip stream or as broken XML
        // (what the exporter reports as a failed export); read back alone, as a gzip stream that fails
        // its CRC or content that fails its SHA-256. Never as verified.
        var scanned = await Record.ExceptionAsync(() => store.VerifyAsync("run1", "exports/a.xml", written.Sha256, (s, t) => UpdateSetFileScanner.ScanAsync(s, cancellationToken: t)));
        Assert.True(scanned is ArtifactVerificationException or UpdateSetFormatException, $"{scanned?.GetType().Name}: {scanned?.Message}");
        await Assert.ThrowsAsync<ArtifactVerificationException>(() => store.VerifyAsync("run1", "exports/a.xml", written.Sha256));

        Assert.False((await store.GetInfoAsync("run1", "exports/a.xml"))!.Verified);
    }

    [Fact]
    public async Task A_compressed_export_expected_to_be_large_goes_up_in_blocks_and_verifies()
    {
        var (container, recorder) = await RecordedContainerAsync();
        var store = new RunArtifactStore(container);
        // Random bytes do not shrink: more than two blocks of them stay more than two blocks once compressed.
        var content = new byte[(2 * RunArtifactStore.BlockSize) + 1000];
        new Random(7).NextBytes(content);
        recorder.Requests.Clear();

        var written = await store.WriteAsync("run1", "exports/a.xml", "application/xml", (stream, token) => stream.WriteAsync(content, token).AsTask(), existing: null, expectedBytes: 10L * RunArtifactStore.SingleRequestLimit, compressed: true);
        var verified = await store.VerifyAsync("run1", "exports/a.xml", written.Sha256);

        Assert.Equal(3, recorder.Requests.Count(r => r.Contains("comp=block&", StringComparison.Ordinal) || r.EndsWith("comp=block", StringComparison.Ordinal)));
        Assert.Single(recorder.Requests, r => r.Contains("comp=blocklist", StringComparison.Ordinal));
        Assert.Equal(content.Length, verified.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), verified.Sha256);
    }

    private sealed record Entry(string Name, int Index);

    /// <summary>A new container whose every storage request is recorded.</summary>
    private async Task<(BlobContainerClient Container, RequestRecorder Recorder)> RecordedContainerAsync()
    {
        var recorder = new RequestRecorder();
        var options = new BlobClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerRetry);
        var container = new BlobContainerClient(azurite.ConnectionString, $"test-{Guid.NewGuid():N}", options);
        await container.CreateAsync();
        return (container, recorder);
    }

    /// <summary>Records the method and URL of every storage request.</summary>
    private sealed class RequestRecorder : HttpPipelineSynchronousPolicy
    {
        public List<string> Requests { get; } = [];

        public override void OnSendingRequest(HttpMessage message)
        {
            lock (Requests)
            {
                Requests.Add($"{message.Request.Method} {message.Request.Uri}");
            }
        }
    }

    private static async Task<object> Settle(Task<ArtifactInfo> write)
    {
        try
        {
            return await write;
        }
        catch (RequestFailedException ex)
        {
            return ex;
        }
    }

    private static Func<Stream, CancellationToken, Task> Write(string text) =>
        async (stream, token) => await stream.WriteAsync(Encoding.UTF8.GetBytes(text), token);
}
