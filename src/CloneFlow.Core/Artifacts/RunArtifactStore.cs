using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace CloneFlow.Core.Artifacts;

/// <summary>
/// A run's artifacts on Blob storage under the deterministic prefix <c>runs/{runId}/</c>: exports
/// streamed in with their SHA-256 computed on the way, verified by reading them back, and never
/// overwritten once verified. The orchestration only ever holds the names and hashes.
/// </summary>
public sealed partial class RunArtifactStore
{
    private const string Sha256Key = "cloneflow_sha256";
    private const string VerifiedKey = "cloneflow_verified";
    private readonly BlobContainerClient _container;

    /// <summary>Stores artifacts in <paramref name="container"/>.</summary>
    public RunArtifactStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    /// <summary>The blob name of a run's artifact; rejects names that could leave the run's folder.</summary>
    public static string BlobName(string runId, string relativeName)
    {
        if (!RunId().IsMatch(runId ?? string.Empty))
        {
            throw new ArgumentException($"'{runId}' is not a run id (letters, digits, '-', '_').", nameof(runId));
        }

        if (!RelativeName().IsMatch(relativeName ?? string.Empty) || relativeName!.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{relativeName}' is not an artifact name (letters, digits, '-', '_', '.', '/').", nameof(relativeName));
        }

        return $"runs/{runId}/{relativeName}";
    }

    /// <summary>Creates the container if it does not exist.</summary>
    public Task EnsureContainerAsync(CancellationToken cancellationToken = default) =>
        _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Bytes one open upload or read-back holds (blocks staged, ranges read); exports run several at once.
    /// Buffers this size are large objects (collected only with gen 2), and every export opens one upload and
    /// one read-back: with 1 MB the benchmark's 100k-update export peaked 14 to 23 MB higher (working set) at the
    /// same throughput (tests/CloneFlow.Benchmarks/README.md).
    /// </summary>
    private const int TransferBufferSize = 256 * 1024;

    /// <summary>
    /// Streams an artifact in: <paramref name="write"/> writes to a stream that goes straight to the blob
    /// (nothing is buffered whole). An unverified artifact from an earlier attempt is replaced; a
    /// verified one is not (<see cref="ArtifactAlreadyVerifiedException"/>).
    /// </summary>
    public async Task<ArtifactInfo> WriteAsync(string runId, string relativeName, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var name = BlobName(runId, relativeName);
        var blob = _container.GetBlockBlobClient(name);
        var existing = await PropertiesAsync(blob, cancellationToken);
        if (existing is not null && IsVerified(existing))
        {
            throw new ArtifactAlreadyVerifiedException(name);
        }

        // Only replace what we saw (or create): a concurrent writer makes one of us fail, not both corrupt.
        var conditions = existing is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = existing.ETag };
        var options = new BlockBlobOpenWriteOptions
        {
            OpenConditions = conditions,
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            // Each open upload holds up to this much; exports are written several at once, so keep it small.
            BufferSize = TransferBufferSize,
        };
        string sha256;
        long bytes;
        await using (var upload = await blob.OpenWriteAsync(overwrite: true, options, cancellationToken))
        await using (var hashing = new HashingStream(upload))
        {
            await write(hashing, cancellationToken);
            await hashing.FlushAsync(cancellationToken);
            sha256 = hashing.Sha256;
            bytes = hashing.Bytes;
        }

        await blob.SetMetadataAsync(new Dictionary<string, string> { [Sha256Key] = sha256 }, cancellationToken: cancellationToken);
        return new ArtifactInfo(name, bytes, sha256, Verified: false);
    }

    /// <summary>Writes a small JSON document (plan, manifest, report); it may be replaced until verified.</summary>
    public Task<ArtifactInfo> WriteJsonAsync<T>(string runId, string relativeName, T value, CancellationToken cancellationToken = default) =>
        WriteAsync(runId, relativeName, "application/json", (stream, token) => JsonSerializer.SerializeAsync(stream, value, ArtifactJson.Options, token), cancellationToken);

    /// <summary>
    /// Reads a JSON artifact, or default when it does not exist. An empty blob counts as not written:
    /// it is what a streamed write leaves when it is cut off (the blob is created empty when the write
    /// opens and filled only when it completes), e.g. by storage restarting; the next write replaces it.
    /// </summary>
    public async Task<T?> ReadJsonAsync<T>(string runId, string relativeName, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(runId, relativeName));
        try
        {
            await using var stream = await blob.OpenReadAsync(cancellationToken: cancellationToken);
            if (stream.Length == 0)
            {
                return default;
            }

            return await JsonSerializer.DeserializeAsync<T>(stream, ArtifactJson.Options, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            return default;
        }
    }

    /// <summary>What is stored under the name, or null.</summary>
    public async Task<ArtifactInfo?> GetInfoAsync(string runId, string relativeName, CancellationToken cancellationToken = default)
    {
        var name = BlobName(runId, relativeName);
        var properties = await PropertiesAsync(_container.GetBlobClient(name), cancellationToken);
        return properties is null ? null : Info(name, properties);
    }

    /// <summary>Opens an artifact to stream it out.</summary>
    public async Task<Stream> OpenReadAsync(string runId, string relativeName, CancellationToken cancellationToken = default) =>
        await _container.GetBlobClient(BlobName(runId, relativeName)).OpenReadAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Reads the artifact back in full: its SHA-256 must equal <paramref name="expectedSha256"/>, and
    /// <paramref name="inspect"/> (e.g. an update-set scan comparing counts) sees the bytes on the way.
    /// Only then is it marked verified, conditional on the blob not having changed meanwhile.
    /// </summary>
    public async Task<ArtifactInfo> VerifyAsync(
        string runId,
        string relativeName,
        string expectedSha256,
        Func<Stream, CancellationToken, Task>? inspect = null,
        CancellationToken cancellationToken = default)
    {
        var name = BlobName(runId, relativeName);
        var blob = _container.GetBlobClient(name);
        var properties = await PropertiesAsync(blob, cancellationToken)
            ?? throw new ArtifactVerificationException($"The artifact {name} does not exist.");
        var options = new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = properties.ETag }, BufferSize = TransferBufferSize };
        string actual;
        long bytes;
        await using (var download = await blob.OpenReadAsync(options, cancellationToken))
        await using (var hashing = new HashingStream(download))
        {
            if (inspect is not null)
            {
                await inspect(hashing, cancellationToken);
            }

            await hashing.DrainAsync(cancellationToken);
            actual = hashing.Sha256;
            bytes = hashing.Bytes;
        }

        if (!string.Equals(actual, expectedSha256, StringComparison.Ordinal))
        {
            throw new ArtifactVerificationException($"The artifact {name} reads back with SHA-256 {actual}, but {expectedSha256} was written.");
        }

        var metadata = new Dictionary<string, string>(properties.Metadata, StringComparer.Ordinal)
        {
            [Sha256Key] = actual,
            [VerifiedKey] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken);
        return new ArtifactInfo(name, bytes, actual, Verified: true);
    }

    /// <summary>Every artifact of a run, by name.</summary>
    public async Task<IReadOnlyList<ArtifactInfo>> ListAsync(string runId, CancellationToken cancellationToken = default)
    {
        var prefix = BlobName(runId, "x")[..^1];
        var items = new List<ArtifactInfo>();
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix }, cancellationToken))
        {
            var sha = Meta(item.Metadata, Sha256Key);
            items.Add(new ArtifactInfo(item.Name, item.Properties.ContentLength ?? 0, sha, item.Metadata.ContainsKey(VerifiedKey)));
        }

        return items;
    }

    private static ArtifactInfo Info(string name, BlobProperties properties) =>
        new(name, properties.ContentLength, Meta(properties.Metadata, Sha256Key), IsVerified(properties));

    private static string Meta(IDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) ? value : string.Empty;

    private static bool IsVerified(BlobProperties properties) => properties.Metadata.ContainsKey(VerifiedKey);

    private static async Task<BlobProperties?> PropertiesAsync(BlobBaseClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex RunId();

    [GeneratedRegex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")]
    private static partial Regex RelativeName();
}
