using System.Buffers;
using System.Globalization;
using System.Text;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace CloneFlow.Core.Artifacts;

/// <summary>
/// A write-only stream into a block blob that stays invisible until <see cref="CommitAsync"/>: bytes
/// are cut into blocks of a fixed size (held in pooled segments), each staged while the next one fills, and the
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

    /// <summary>
    /// Bytes per pooled segment of what is being filled. Content is held in segments rather than in one
    /// buffer that doubles as it fills: nothing is copied as it grows, a 1.1 MB export holds 1.1 MB (not a
    /// 2 MB buffer and the 1 MB one it outgrew), and the shared pool keeps only segments of this size
    /// afterwards, where it kept every power-of-two buffer up to the single-request limit that any export
    /// had grown (tens of MB of a host's memory once it had written sets of a few MB side by side).
    /// </summary>
    private const int SegmentSize = 64 * 1024;

    private readonly BlockBlobClient _blob;
    private readonly int _blockSize;
    private readonly int _singleRequestLimit;
    private readonly string _writer = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = [];
    private List<byte[]> _filling = [];
    private int _lastSegmentUsed;
    private int _filled;
    private (Task Task, List<byte[]> Segments)? _inFlight;
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
                    using var content = new SegmentReadStream(block, length);
                    _blob.StageBlock(id, content, StageOptions);
                }
                finally
                {
                    Return(block);
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
        using var content = new SegmentReadStream(_filling, _filled);
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
        var room = Capacity - _filled;
        if (_filling.Count == 0 || _lastSegmentUsed == _filling[^1].Length)
        {
            // A segment never reaches past what the buffer may hold, so small blocks take small segments.
            _filling.Add(ArrayPool<byte>.Shared.Rent(Math.Min(SegmentSize, room)));
            _lastSegmentUsed = 0;
        }

        var segment = _filling[^1];
        var count = Math.Min(Math.Min(segment.Length - _lastSegmentUsed, room), source.Length);
        source[..count].CopyTo(segment.AsSpan(_lastSegmentUsed));
        _lastSegmentUsed += count;
        _filled += count;
        return count;
    }

    /// <summary>
    /// What the buffer being filled holds before it goes up: the first one everything up to the single-request
    /// limit (staged as one larger block if the content goes on), later ones a block each.
    /// </summary>
    private int Capacity => _blockIds.Count == 0 ? _singleRequestLimit : _blockSize;

    /// <summary>Stages the filled block in the background, after the one before it has gone up: one block fills while one uploads.</summary>
    private async Task StageAsync(CancellationToken cancellationToken)
    {
        await AwaitInFlightAsync();
        var (id, block, length) = TakeBlock();
        _inFlight = (StageBlockAsync(id, block, length, cancellationToken), block);
    }

    private async Task StageBlockAsync(string id, List<byte[]> block, int length, CancellationToken cancellationToken)
    {
        using var content = new SegmentReadStream(block, length);
        await _blob.StageBlockAsync(id, content, StageOptions, cancellationToken);
    }

    private (string Id, List<byte[]> Block, int Length) TakeBlock()
    {
        // Block ids of one blob must all have the same length; the writer's own prefix keeps a
        // concurrent writer's uncommitted blocks from ever mixing with ours.
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_writer + _blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)));
        _blockIds.Add(id);
        var taken = (id, _filling, _filled);
        _filling = [];
        _filled = 0;
        _lastSegmentUsed = 0;
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
                Return(inFlight.Segments);
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
                Return(inFlight.Segments);
            }
        }
    }

    private void ReturnFilling()
    {
        Return(_filling);
        _filled = 0;
        _lastSegmentUsed = 0;
    }

    private static void Return(List<byte[]> segments)
    {
        foreach (var segment in segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        segments.Clear();
    }
}
