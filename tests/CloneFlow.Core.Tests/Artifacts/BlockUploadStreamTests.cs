using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.Artifacts;

[Collection(AzuriteGroup.Name)]
public class BlockUploadStreamTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string> Metadata = new() { ["cloneflow_sha256"] = "abc" };

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1000, 0)]
    [InlineData(4096, 1)]
    [InlineData(4097, 2)]
    [InlineData(40_000, 10)]
    public async Task Content_of_any_size_arrives_whole_with_headers_and_metadata_set_at_commit(int size, int stagedBlocks)
    {
        var blob = (await azurite.NewContainerAsync()).GetBlockBlobClient("a/b.xml");
        var content = RandomNumberGenerator.GetBytes(size);
        await using (var upload = new BlockUploadStream(blob, blockSize: 4096))
        {
            // Odd write sizes, so writes straddle block boundaries.
            await WriteInPiecesAsync(upload, content, 777);

            Assert.False(await blob.ExistsAsync());
            await CreateAsync(upload, new BlobHttpHeaders { ContentType = "application/xml" });
            Assert.Equal(stagedBlocks, upload.StagedBlocks);
        }

        var downloaded = (await blob.DownloadContentAsync()).Value;
        Assert.Equal(content, downloaded.Content.ToArray());
        Assert.Equal("application/xml", downloaded.Details.ContentType);
        Assert.Equal("abc", downloaded.Details.Metadata["cloneflow_sha256"]);
    }

    [Theory]
    [InlineData(100, 0)]
    [InlineData(200_000, 0)]
    [InlineData(262_144, 1)]
    [InlineData(300_000, 2)]
    [InlineData(600_000, 3)]
    public async Task Content_up_to_a_block_is_held_in_segments_and_goes_up_in_one_request(int size, int stagedBlocks)
    {
        // Blocks of 256 KB, filled 64 KB segment by segment; only content beyond a block is staged.
        var blob = (await azurite.NewContainerAsync()).GetBlockBlobClient("grow.bin");
        var content = RandomNumberGenerator.GetBytes(size);
        await using (var upload = new BlockUploadStream(blob, blockSize: 256 * 1024))
        {
            await WriteInPiecesAsync(upload, content, 10_000);
            await CreateAsync(upload, new BlobHttpHeaders());
            Assert.Equal(stagedBlocks, upload.StagedBlocks);
        }

        Assert.Equal(content, (await blob.DownloadContentAsync()).Value.Content.ToArray());
    }

    [Theory]
    [InlineData(200_000, 0)]
    [InlineData(300_000, 2)]
    [InlineData(500_000, 5)]
    public async Task Content_up_to_the_single_request_limit_is_one_request_and_beyond_it_the_first_block_is_that_limit(int size, int stagedBlocks)
    {
        // One request up to 256 KB; beyond, a 256 KB first block and then blocks of 64 KB.
        var blob = (await azurite.NewContainerAsync()).GetBlockBlobClient("limit.bin");
        var content = RandomNumberGenerator.GetBytes(size);
        await using (var upload = new BlockUploadStream(blob, blockSize: 64 * 1024, singleRequestLimit: 256 * 1024))
        {
            await WriteInPiecesAsync(upload, content, 7_000);
            await CreateAsync(upload, new BlobHttpHeaders());
            Assert.Equal(stagedBlocks, upload.StagedBlocks);
        }

        var stored = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(content, stored);
        var blocks = (await blob.GetBlockListAsync()).Value.CommittedBlocks.ToList();
        Assert.Equal(stagedBlocks, blocks.Count);
        if (stagedBlocks > 0)
        {
            Assert.Equal(256 * 1024, blocks[0].SizeLong);
            Assert.All(blocks.Skip(1).SkipLast(1), b => Assert.Equal(64 * 1024, b.SizeLong));
        }
    }

    [Fact]
    public async Task Every_staged_block_carries_the_MD5_of_its_bytes_for_the_service_to_check()
    {
        var recorder = new PutBlockRecorder();
        var options = new BlobClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerRetry);
        var container = new BlobContainerClient(azurite.ConnectionString, $"test-{Guid.NewGuid():N}", options);
        await container.CreateAsync();
        var blob = container.GetBlockBlobClient("md5.bin");
        var content = RandomNumberGenerator.GetBytes(10_000);
        await using (var upload = new BlockUploadStream(blob, blockSize: 4096))
        {
            upload.Write(content, 0, 5000);
            await upload.WriteAsync(content.AsMemory(5000));
            await upload.CommitAsync(new BlobHttpHeaders(), Metadata, new BlobRequestConditions(), CancellationToken.None);
        }

        // Two full blocks and the rest, each with the MD5 of exactly its own bytes.
        Assert.Equal(3, recorder.Blocks.Count);
        var offset = 0;
        foreach (var (length, md5) in recorder.Blocks)
        {
#pragma warning disable CA5351 // The service's transactional checksum is MD5 by definition; nothing here relies on it for security.
            Assert.Equal(Convert.ToBase64String(MD5.HashData(content.AsSpan(offset, length))), md5);
#pragma warning restore CA5351
            offset += length;
        }

        Assert.Equal(content.Length, offset);
    }

    /// <summary>Records the body length and Content-MD5 header of each Put Block request.</summary>
    private sealed class PutBlockRecorder : HttpPipelineSynchronousPolicy
    {
        public List<(int Length, string? Md5)> Blocks { get; } = [];

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Uri.Query.Contains("comp=block&", StringComparison.Ordinal) || message.Request.Uri.Query.EndsWith("comp=block", StringComparison.Ordinal))
            {
                using var body = new MemoryStream();
                message.Request.Content!.WriteTo(body, CancellationToken.None);
                lock (Blocks)
                {
                    Blocks.Add(((int)body.Length, message.Request.Headers.TryGetValue("Content-MD5", out var md5) ? md5 : null));
                }
            }
        }
    }

    [Fact]
    public async Task Synchronous_writes_upload_the_same_bytes()
    {
        var blob = (await azurite.NewContainerAsync()).GetBlockBlobClient("sync.bin");
        var content = RandomNumberGenerator.GetBytes(10_000);
        await using (var upload = new BlockUploadStream(blob, blockSize: 3000))
        {
            upload.Write(content, 0, 6000);
            await upload.WriteAsync(content.AsMemory(6000, 1000));
            upload.Write(content.AsSpan(7000));
            await upload.CommitAsync(new BlobHttpHeaders(), Metadata, new BlobRequestConditions(), CancellationToken.None);
        }

        Assert.Equal(content, (await blob.DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task Of_two_writers_creating_the_same_blob_the_later_commit_fails_and_the_first_content_stays()
    {
        var blob = (await azurite.NewContainerAsync()).GetBlockBlobClient("race.bin");
        var createOnly = new BlobRequestConditions { IfNoneMatch = ETag.All };
        await using var late = new BlockUploadStream(blob, blockSize: 1024);
        await late.WriteAsync(new byte[5000]);
        await using (var first = new BlockUploadStream(blob, blockSize: 1024))
        {
            // Small, so a Put Blob first; the other writer's uncommitted blocks are no committed blob.
            await first.WriteAsync("first"u8.ToArray());
            await first.CommitAsync(new BlobHttpHeaders(), Metadata, createOnly, CancellationToken.None);
        }

        await Assert.ThrowsAsync<RequestFailedException>(() => late.CommitAsync(new BlobHttpHeaders(), Metadata, createOnly, CancellationToken.None));

        Assert.Equal("first", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task Writing_after_the_commit_is_refused()
    {
        var blob = (await azurite.NewContainerAsync()).GetBlockBlobClient("done.bin");
        await using var upload = new BlockUploadStream(blob, blockSize: 1024);
        await upload.CommitAsync(new BlobHttpHeaders(), Metadata, new BlobRequestConditions(), CancellationToken.None);

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await upload.WriteAsync(new byte[1]));
    }

    /// <summary>Writes <paramref name="content"/> in writes of <paramref name="piece"/> bytes (the last one shorter).</summary>
    private static async Task WriteInPiecesAsync(BlockUploadStream upload, byte[] content, int piece)
    {
        for (var offset = 0; offset < content.Length; offset += piece)
        {
            await upload.WriteAsync(content.AsMemory(offset, Math.Min(piece, content.Length - offset)));
        }
    }

    /// <summary>Commits the upload as a new blob (create-only) with the test metadata.</summary>
    private static Task CreateAsync(BlockUploadStream upload, BlobHttpHeaders headers) =>
        upload.CommitAsync(headers, Metadata, new BlobRequestConditions { IfNoneMatch = ETag.All }, CancellationToken.None);
}
