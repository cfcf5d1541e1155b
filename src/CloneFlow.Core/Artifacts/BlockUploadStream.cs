using System.Buffers;
using System.Globalization;
using System.Text;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace CloneFlow.Core.Artifacts;

/// <summary>
/// A write-only stream into a block blob that stays invisible until <see cref="CommitAsync"/>: bytes
/// are cut into blocks of a fixed size (pooled buffers), each staged while the next one fills, and the
/// commit sets the content type, metadata and conditions in the same request. Content that fits in
/// one block goes up as a single Put Blob. A write that is cut off leaves no blob at all (its
/// uncommitted blocks are discarded by the service), not an empty or partial one.
/// </summary>
/// <remarks>
/// Compared with the SDK's OpenWrite stream this saves the empty upload at open and the metadata call
/// after (3 requests per artifact; with thousands of blocks and hundreds of artifacts per run this is
/// a measurable share of what storage has to serve), and its buffers come from the shared pool instead
/// of a new large-object array per upload.
/// </remarks>
internal sealed class BlockUploadStream : Stream
{
    /// <summary>
    /// Each block goes up with its MD5 (Content-MD5), so the service refuses a block that was changed
    /// on the way instead of storing it. Without one the service computes a CRC64 of every block for
    /// its answer: Azurite does that byte by byte in JavaScript, which was a fifth of its CPU time
    /// during an export, while the MD5 it checks instead is native.
    /// </summary>
    private static readonly BlockBlobStageBlockOptions StageOptions = new()
    {
        TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
    };

    /// <summary>Bytes of the first buffer, before it grows.</summary>
    private const int FirstBufferSize = 64 * 1024;

    private readonly BlockBlobClient _blob;
    private readonly int _blockSize;
    private readonly int _singleRequestLimit;
    private readonly string _writer = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = [];
    private byte[]? _filling;
    private int _filled;
    private (Task Task, byte[] Buffer)? _inFlight;
    private bool _committed;

    /// <summary>An upload in blocks of <paramref name="blockSize"/>; content up to <paramref name="singleRequestLimit"/> (the block size when null) goes up in one request.</summary>
    public BlockUploadStream(BlockBlobClient blob, int blockSize, int? singleRequestLimit = null)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(singleRequestLimit ?? blockSize, blockSize);
        _blob = blob;
        _blockSize = blockSize;
        _singleRequestLimit = singleRequestLimit ?? blockSize;
    }

    /// <summary>Blocks staged so far (for tests: a small artifact stages none).</summary>
    public int StagedBlocks => _blockIds.Count;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_committed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Fill(buffer)..];
            if (_filled == Capacity)
            {
                // Synchronous writers get synchronous staging (after a block an async write may have left in flight).
                WaitForInFlight();
                var (id, block, length) = TakeBlock();
                try
                {
                    using var content = new MemoryStream(block, 0, length, writable: false);
                    _blob.StageBlock(id, content, StageOptions);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(block);
                }
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Fill(buffer.Span)..];
            if (_filled == Capacity)
            {
                await StageAsync(cancellationToken);
            }
        }
    }

    /// <summary>Nothing to do: blocks go up as they fill, and only the commit makes them the blob.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Makes what was written the blob's content, with its headers and metadata, if
    /// <paramref name="conditions"/> hold (e.g. nobody else created it meanwhile).
    /// </summary>
    public async Task CommitAsync(BlobHttpHeaders headers, IDictionary<string, string> metadata, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        if (_blockIds.Count == 0 && await TryPutBlobAsync(headers, metadata, conditions, cancellationToken))
        {
            _committed = true;
            return;
        }

        if (_filled > 0)
        {
            await StageAsync(cancellationToken);
        }

        await AwaitInFlightAsync();
        await _blob.CommitBlockListAsync(_blockIds, new CommitBlockListOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions }, cancellationToken);
        _committed = true;
    }

    /// <summary>Uploads content that fits in one block in one request; false when only the block way can create the blob.</summary>
    private async Task<bool> TryPutBlobAsync(BlobHttpHeaders headers, IDictionary<string, string> metadata, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(_filling ?? [], 0, _filled, writable: false);
        try
        {
            await _blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions }, cancellationToken);
            return true;
        }
        catch (Azure.RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists && conditions.IfNoneMatch == Azure.ETag.All)
        {
            // Only uncommitted blocks of a writer that was cut off may be there: Azurite refuses a
            // create-only Put Blob then, while Put Block List counts them as absent. Committing a block
            // under the same condition still fails if a committed blob is really there.
            return false;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await AwaitInFlightAsync();
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or OperationCanceledException or HttpRequestException)
        {
            // The write already failed or was abandoned; its uncommitted blocks are never seen.
        }

        ReturnFilling();
        await base.DisposeAsync();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                WaitForInFlight();
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or OperationCanceledException or HttpRequestException)
            {
                // As in DisposeAsync: an abandoned write leaves nothing behind.
            }

            ReturnFilling();
        }

        base.Dispose(disposing);
    }

    private int Fill(ReadOnlySpan<byte> source)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        if (_filling is null || (_filled == _filling.Length && _filled < Capacity))
        {
            Grow(source.Length);
        }

        var count = Math.Min(Math.Min(_filling!.Length, Capacity) - _filled, source.Length);
        source[..count].CopyTo(_filling.AsSpan(_filled));
        _filled += count;
        return count;
    }

    /// <summary>
    /// What the buffer being filled holds before it goes up: the first one everything up to the single-request
    /// limit (staged as one larger block if the content goes on), later ones a block each.
    /// </summary>
    private int Capacity => _blockIds.Count == 0 ? _singleRequestLimit : _blockSize;

    /// <summary>
    /// The first buffer starts small and doubles up to the single-request limit as it fills (later blocks take
    /// the block size at once): a manifest entry holds a few KB, not a whole block, while everything up to the
    /// limit still goes up in one request.
    /// </summary>
    private void Grow(int needed)
    {
        var size = _filling is null
            ? (_blockIds.Count > 0 ? _blockSize : Math.Min(Capacity, Math.Max(FirstBufferSize, needed)))
            : Math.Min(Capacity, _filling.Length * 2);
        var larger = ArrayPool<byte>.Shared.Rent(size);
        if (_filling is not null)
        {
            _filling.AsSpan(0, _filled).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_filling);
        }

        _filling = larger;
    }

    /// <summary>Stages the filled block in the background, after the one before it has gone up: one block fills while one uploads.</summary>
    private async Task StageAsync(CancellationToken cancellationToken)
    {
        await AwaitInFlightAsync();
        var (id, block, length) = TakeBlock();
        _inFlight = (StageBlockAsync(id, block, length, cancellationToken), block);
    }

    private async Task StageBlockAsync(string id, byte[] block, int length, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(block, 0, length, writable: false);
        await _blob.StageBlockAsync(id, content, StageOptions, cancellationToken);
    }

    private (string Id, byte[] Block, int Length) TakeBlock()
    {
        // Block ids of one blob must all have the same length; the writer's own prefix keeps a
        // concurrent writer's uncommitted blocks from ever mixing with ours.
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_writer + _blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)));
        _blockIds.Add(id);
        var taken = (id, _filling!, _filled);
        _filling = null;
        _filled = 0;
        return taken;
    }

    private async Task AwaitInFlightAsync()
    {
        if (_inFlight is { } inFlight)
        {
            _inFlight = null;
            try
            {
                await inFlight.Task;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(inFlight.Buffer);
            }
        }
    }

    private void WaitForInFlight()
    {
        if (_inFlight is { } inFlight)
        {
            _inFlight = null;
            try
            {
                inFlight.Task.GetAwaiter().GetResult();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(inFlight.Buffer);
            }
        }
    }

    private void ReturnFilling()
    {
        if (_filling is not null)
        {
            ArrayPool<byte>.Shared.Return(_filling);
            _filling = null;
            _filled = 0;
        }
    }
}
