using System.Buffers.Text;
using System.Globalization;
using System.IO.Compression;
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

    /// <summary>The content's length before compression, for a compressed artifact (its blob's length is the stored one).</summary>
    private const string BytesKey = "cloneflow_bytes";

    /// <summary>The Content-Encoding of a compressed artifact: clients that honour it (browsers, <c>azcopy --decompress</c>) get the content as written.</summary>
    private const string Gzip = "gzip";

    /// <summary>
    /// The least an export is assumed to shrink by when compressed, for choosing between one request and
    /// blocks before it is written (real exports: 3.1x to 5.3x at the fastest level). One that shrinks less
    /// than that is still held to the single-request limit, then goes on in blocks.
    /// </summary>
    private const int AssumedCompression = 3;

    /// <summary>A listed JSON document, base64url (see <see cref="WriteListedJsonAsync"/>).</summary>
    private const string JsonKey = "cloneflow_json";

    /// <summary>The largest document carried in metadata: about 5.4 KB once in base64, under the 8 KB all metadata may take.</summary>
    private const int MaxListedJsonBytes = 4096;

    /// <summary>Documents read at once when a listing does not carry them.</summary>
    private const int ReadsAtOnce = 16;
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
    /// Bytes per staged block of an upload (one block fills while the one before it uploads), from the
    /// shared pool. Every open upload holds up to two blocks, and the client's read places bound how many
    /// exports upload at once (tests/CloneFlow.Benchmarks/README.md).
    /// </summary>
    public const int BlockSize = 512 * 1024;

    /// <summary>
    /// Artifacts up to this size go up in one request (held in 64 KB segments as each fills; a larger
    /// one stages this much as its first block). Every request costs storage (Azurite: about 3 ms of CPU
    /// for a Put Block, plus the bytes): a typical set's export (a few hundred updates, about 1 MB) is one
    /// Put Blob where it was three Put Blocks and a Put Block List with one limit of 512 KB.
    /// </summary>
    public const int SingleRequestLimit = 2 * 1024 * 1024;

    /// <summary>Whether an artifact of about <paramref name="expectedBytes"/> (unknown: null) is written in one request, held whole until then, rather than in blocks as it is written.</summary>
    public static bool GoesUpWhole(long? expectedBytes) => !(expectedBytes > SingleRequestLimit);

    /// <summary>
    /// Streams an artifact in: <paramref name="write"/> writes to a stream that goes straight to the blob
    /// in blocks (nothing is buffered whole), and the blob appears, with its SHA-256 in its metadata, only
    /// once the write completes: a write that is cut off leaves nothing behind. An unverified artifact
    /// from an earlier attempt is replaced; a verified one is not (<see cref="ArtifactAlreadyVerifiedException"/>).
    /// </summary>
    public async Task<ArtifactInfo> WriteAsync(string runId, string relativeName, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        var properties = await PropertiesAsync(_container.GetBlobClient(BlobName(runId, relativeName)), cancellationToken);
        var existing = properties is null ? null : new ArtifactVersion(properties.ETag, IsVerified(properties));
        return await WriteAsync(runId, relativeName, contentType, write, existing, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Streams an artifact in as <see cref="WriteAsync(string, string, string, Func{Stream, CancellationToken, Task}, CancellationToken)"/>
    /// does, when the caller has already seen what is stored under the name (<paramref name="existing"/>, null
    /// for nothing, e.g. from <see cref="ListJsonAsync{T}(string, string, bool, CancellationToken)"/>): only that version is replaced, or the blob only created.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="relativeName">The artifact's name in the run.</param>
    /// <param name="contentType">Its content type.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="existing">What the caller saw stored under the name (null: nothing).</param>
    /// <param name="expectedBytes">
    /// About how large the artifact will be, when known: one expected to exceed <see cref="SingleRequestLimit"/>
    /// goes up in blocks from the start instead of first filling a buffer of that size (each export writing
    /// at once would otherwise hold one).
    /// </param>
    /// <param name="compressed">
    /// Stores the content gzip-compressed (Content-Encoding: gzip): what is read back, through this store or
    /// a browser, is the content as written, and its length and SHA-256 are the content's. Exports are: update-set
    /// XML shrinks 3 to 5 times, which is that much less to send to storage, to keep there and to read back.
    /// </param>
    /// <param name="cancellationToken">Stops the write; nothing is left behind.</param>
    public Task<ArtifactInfo> WriteAsync(string runId, string relativeName, string contentType, Func<Stream, CancellationToken, Task> write, ArtifactVersion? existing, long? expectedBytes = null, bool compressed = false, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(runId, relativeName, contentType, write, existing, null, expectedBytes, compressed, cancellationToken);

    private async Task<ArtifactInfo> WriteCoreAsync(string runId, string relativeName, string contentType, Func<Stream, CancellationToken, Task> write, ArtifactVersion? existing, string? listedJson, long? expectedBytes, bool compressed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var name = BlobName(runId, relativeName);
        if (existing is { Verified: true })
        {
            throw new ArtifactAlreadyVerifiedException(name);
        }

        // Only replace what we saw (or create): a concurrent writer makes one of us fail, not both corrupt.
        var conditions = existing is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = existing.ETag };
        var storedBytes = compressed ? expectedBytes / AssumedCompression : expectedBytes;
        await using var upload = new BlockUploadStream(_container.GetBlockBlobClient(name), BlockSize, GoesUpWhole(storedBytes) ? SingleRequestLimit : BlockSize);
        var (sha256, bytes) = compressed ? await WriteCompressedAsync(upload, write, cancellationToken) : await WriteHashedAsync(upload, write, cancellationToken);
        var metadata = new Dictionary<string, string> { [Sha256Key] = sha256 };
        if (compressed)
        {
            metadata[BytesKey] = bytes.ToString(CultureInfo.InvariantCulture);
        }

        if (listedJson is not null)
        {
            metadata[JsonKey] = listedJson;
        }

        await upload.CommitAsync(new BlobHttpHeaders { ContentType = contentType, ContentEncoding = compressed ? Gzip : null }, metadata, conditions, cancellationToken);
        return new ArtifactInfo(name, bytes, sha256, Verified: false);
    }

    /// <summary>Lets <paramref name="write"/> write to <paramref name="target"/>: the SHA-256 and length of what it wrote.</summary>
    private static async Task<(string Sha256, long Bytes)> WriteHashedAsync(Stream target, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        await using var hashing = new HashingStream(target);
        await write(hashing, cancellationToken);
        return (hashing.Sha256, hashing.Bytes);
    }

    /// <summary>As <see cref="WriteHashedAsync"/>, compressed on the way to <paramref name="target"/>; hash and length are the content's.</summary>
    private static async Task<(string Sha256, long Bytes)> WriteCompressedAsync(Stream target, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        // The fastest level: the export is bound by the instance and storage, not by bytes, and the
        // levels above it take several times the CPU for about a fifth less.
        // Disposing it (on return, before the caller commits) writes the gzip trailer.
        await using var gzip = new GZipStream(target, CompressionLevel.Fastest, leaveOpen: true);
        return await WriteHashedAsync(gzip, write, cancellationToken);
    }

    /// <summary>Writes a small JSON document (plan, manifest, report); it may be replaced until verified.</summary>
    public Task<ArtifactInfo> WriteJsonAsync<T>(string runId, string relativeName, T value, CancellationToken cancellationToken = default) =>
        WriteAsync(runId, relativeName, "application/json", JsonWriter(value), cancellationToken);

    /// <summary>
    /// Writes a small JSON document over the version the caller saw (null: creates it), with the document
    /// also in the blob's metadata: <see cref="ListJsonAsync{T}(string, string, CancellationToken)"/> then reads many such documents (manifest
    /// entries) in one listing instead of one download each. The content stays the document of record.
    /// </summary>
    public Task<ArtifactInfo> WriteListedJsonAsync<T>(string runId, string relativeName, T value, ArtifactVersion? existing, CancellationToken cancellationToken = default)
    {
        // Serialized once: the same bytes are the content and, when small enough, the metadata.
        var json = JsonSerializer.SerializeToUtf8Bytes(value, ArtifactJson.Options);
        return WriteCoreAsync(runId, relativeName, "application/json", (stream, token) => stream.WriteAsync(json, token).AsTask(), existing, Listed(json), null, false, cancellationToken);
    }

    /// <summary>
    /// The JSON documents stored under <paramref name="relativePrefix"/>, by relative name, with the version
    /// each was seen at: from one listing for documents written with <see cref="WriteListedJsonAsync"/>, by
    /// reading the others (written by earlier versions, or too large for metadata). An empty blob counts as
    /// not written (see <see cref="ReadJsonAsync"/>) and has no value.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, StoredJson<T>>> ListJsonAsync<T>(string runId, string relativePrefix, CancellationToken cancellationToken = default)
        where T : class =>
        await ListJsonAsync<T>(runId, relativePrefix, readUnlisted: true, cancellationToken);

    /// <summary>
    /// As <see cref="ListJsonAsync{T}(string, string, CancellationToken)"/>, or, with <paramref name="readUnlisted"/>
    /// false, only the documents the listing carries (the blobs under the prefix are not all JSON: exports
    /// verified with <see cref="VerifyAndListAsync"/>); the other blobs come with their version and no value.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, StoredJson<T>>> ListJsonAsync<T>(string runId, string relativePrefix, bool readUnlisted, CancellationToken cancellationToken = default)
        where T : class
    {
        var found = new Dictionary<string, StoredJson<T>>(StringComparer.Ordinal);
        var unlisted = new List<(string Name, ArtifactVersion Version)>();
        await foreach (var (name, version, metadata) in ListUnderAsync(runId, relativePrefix, cancellationToken))
        {
            if (metadata.TryGetValue(JsonKey, out var listed))
            {
                found[name] = new StoredJson<T>(version, JsonSerializer.Deserialize<T>(Base64Url.DecodeFromChars(listed), ArtifactJson.Options));
            }
            else if (readUnlisted)
            {
                unlisted.Add((name, version));
            }
            else
            {
                found[name] = new StoredJson<T>(version, null);
            }
        }

        var read = new StoredJson<T>[unlisted.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, unlisted.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ReadsAtOnce, CancellationToken = cancellationToken },
            async (i, token) => read[i] = new StoredJson<T>(unlisted[i].Version, await ReadJsonAsync<T>(runId, unlisted[i].Name, token)));
        for (var i = 0; i < unlisted.Count; i++)
        {
            found[unlisted[i].Name] = read[i];
        }

        return found;
    }

    /// <summary>The blobs under a prefix of the run: relative name, version and metadata.</summary>
    private async IAsyncEnumerable<(string Name, ArtifactVersion Version, IDictionary<string, string> Metadata)> ListUnderAsync(
        string runId, string relativePrefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!RelativePrefix().IsMatch(relativePrefix ?? string.Empty) || relativePrefix!.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{relativePrefix}' is not an artifact name prefix (letters, digits, '-', '_', '.', '/').", nameof(relativePrefix));
        }

        var folder = BlobName(runId, "x")[..^1];
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = folder + relativePrefix }, cancellationToken))
        {
            yield return (item.Name[folder.Length..], new ArtifactVersion(item.Properties.ETag ?? default, item.Metadata.ContainsKey(VerifiedKey)), item.Metadata);
        }
    }

    private static Func<Stream, CancellationToken, Task> JsonWriter<T>(T value) =>
        (stream, token) => JsonSerializer.SerializeAsync(stream, value, ArtifactJson.Options, token);

    /// <summary>
    /// Reads a JSON artifact, or default when it does not exist. An empty blob counts as not written:
    /// it is what a streamed write of earlier versions left when it was cut off (their blob was created
    /// empty when the write opened), e.g. by storage restarting; the next write replaces it.
    /// </summary>
    public async Task<T?> ReadJsonAsync<T>(string runId, string relativeName, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(runId, relativeName));
        try
        {
            // One request: the content and its length come in the same response.
            using var download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;
            if (download.Details.ContentLength == 0)
            {
                return default;
            }

            await using var content = Decoded(download);
            return await JsonSerializer.DeserializeAsync<T>(content, ArtifactJson.Options, cancellationToken);
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

    /// <summary>
    /// Opens an artifact to stream it out: one GET read as the caller goes (no read-ahead buffer of its
    /// own; several restores read at once), resumed on the same version of the blob if the connection
    /// breaks, and decompressed as it is read if it was stored compressed. Disposing the stream ends the download.
    /// </summary>
    public async Task<Stream> OpenReadAsync(string runId, string relativeName, CancellationToken cancellationToken = default) =>
        Decoded((await _container.GetBlobClient(BlobName(runId, relativeName)).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value);

    /// <summary>The content of a download as it was written: decompressed when the blob was stored gzip-compressed.</summary>
    private static Stream Decoded(BlobDownloadStreamingResult download) =>
        string.Equals(download.Details.ContentEncoding, Gzip, StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(download.Content, CompressionMode.Decompress)
            : download.Content;

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
        CancellationToken cancellationToken = default) =>
        (await VerifyCoreAsync<object>(runId, relativeName, expectedSha256, inspect, null, cancellationToken)).Info;

    /// <summary>
    /// Verifies as <see cref="VerifyAsync"/> does, and lists <paramref name="describe"/>'s document (e.g. the
    /// export's manifest item) in the same request that marks the artifact verified: the mark and the
    /// document are stored together or not at all, and <see cref="ListJsonAsync{T}(string, string, CancellationToken)"/> finds the document with
    /// the artifact. <see cref="ListedVerification{T}.Listed"/> is false when the document is too large for
    /// metadata: then it is not stored, and the caller keeps it elsewhere.
    /// </summary>
    public Task<ListedVerification<T>> VerifyAndListAsync<T>(
        string runId,
        string relativeName,
        string expectedSha256,
        Func<Stream, CancellationToken, Task>? inspect,
        Func<ArtifactInfo, T> describe,
        CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(describe);
        return VerifyCoreAsync(runId, relativeName, expectedSha256, inspect, describe, cancellationToken);
    }

    private async Task<ListedVerification<T>> VerifyCoreAsync<T>(
        string runId,
        string relativeName,
        string expectedSha256,
        Func<Stream, CancellationToken, Task>? inspect,
        Func<ArtifactInfo, T>? describe,
        CancellationToken cancellationToken)
        where T : class
    {
        var name = BlobName(runId, relativeName);
        var blob = _container.GetBlobClient(name);
        BlobDownloadStreamingResult download;
        try
        {
            // One streamed GET of the whole blob (no range requests, no read buffer of our own); if the
            // connection breaks, the SDK resumes it on the same version (ETag) of the blob.
            download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            throw new ArtifactVerificationException($"The artifact {name} does not exist.");
        }

        string actual;
        long bytes;
        var read = download.Details;
        using (download)
        await using (var content = Decoded(download))
        await using (var hashing = new HashingStream(content))
        {
            try
            {
                if (inspect is not null)
                {
                    await inspect(hashing, cancellationToken);
                }

                await hashing.DrainAsync(cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                // Stored compressed, and what was read back does not decompress (or fails its gzip CRC).
                throw new ArtifactVerificationException($"The artifact {name} reads back damaged: {ex.Message}", ex);
            }

            actual = hashing.Sha256;
            bytes = hashing.Bytes;
        }

        if (!string.Equals(actual, expectedSha256, StringComparison.Ordinal))
        {
            throw new ArtifactVerificationException($"The artifact {name} reads back with SHA-256 {actual}, but {expectedSha256} was written.");
        }

        // Marked verified only if the blob is still the version that was read.
        var info = new ArtifactInfo(name, bytes, actual, Verified: true);
        var metadata = new Dictionary<string, string>(read.Metadata, StringComparer.Ordinal)
        {
            [Sha256Key] = actual,
            [VerifiedKey] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        metadata.Remove(JsonKey);
        var document = describe?.Invoke(info);
        var listed = document is null ? null : Listed(JsonSerializer.SerializeToUtf8Bytes(document, ArtifactJson.Options));
        if (listed is not null)
        {
            metadata[JsonKey] = listed;
        }

        await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = read.ETag }, cancellationToken);
        return new ListedVerification<T>(info, document, listed is not null);
    }

    /// <summary>A document's JSON as metadata (base64url), or null when it is too large to carry there.</summary>
    /// <remarks>Metadata travels in HTTP headers (ASCII, 8 KB in all per blob): a larger document is only read whole.</remarks>
    private static string? Listed(byte[] json) =>
        json.Length <= MaxListedJsonBytes ? Base64Url.EncodeToString(json) : null;

    /// <summary>Every artifact of a run, by name.</summary>
    public async Task<IReadOnlyList<ArtifactInfo>> ListAsync(string runId, CancellationToken cancellationToken = default)
    {
        var prefix = BlobName(runId, "x")[..^1];
        var items = new List<ArtifactInfo>();
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix }, cancellationToken))
        {
            var sha = Meta(item.Metadata, Sha256Key);
            var stored = item.Properties.ContentLength ?? 0;
            items.Add(new ArtifactInfo(item.Name, ContentBytes(item.Metadata, stored), sha, item.Metadata.ContainsKey(VerifiedKey)) { StoredBytes = stored });
        }

        return items;
    }

    private static ArtifactInfo Info(string name, BlobProperties properties) =>
        new(name, ContentBytes(properties.Metadata, properties.ContentLength), Meta(properties.Metadata, Sha256Key), IsVerified(properties)) { StoredBytes = properties.ContentLength };

    /// <summary>The content's length: recorded at the write for a compressed artifact, else the blob's.</summary>
    private static long ContentBytes(IDictionary<string, string> metadata, long storedBytes) =>
        metadata.TryGetValue(BytesKey, out var bytes) && long.TryParse(bytes, NumberStyles.None, CultureInfo.InvariantCulture, out var content) ? content : storedBytes;

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

    [GeneratedRegex("^([A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]*$")]
    private static partial Regex RelativePrefix();
}
