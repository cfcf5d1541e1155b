namespace CloneFlow.Core.Artifacts;

/// <summary>
/// A read-only, seekable view of the first <c>length</c> bytes held in a list of segments (each full but the
/// last), so that content filled segment by segment goes up without being copied into one array. Seekable
/// because the storage client reads a block once for its MD5 and again to send it.
/// </summary>
internal sealed class SegmentReadStream : Stream
{
    private readonly IReadOnlyList<byte[]> _segments;
    private readonly long _length;
    private long _position;

    public SegmentReadStream(IReadOnlyList<byte[]> segments, long length)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, segments.Sum(s => (long)s.Length));
        _segments = segments;
        _length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length && _position < _length)
        {
            // Every segment before the last is full, so a position is found by walking the lengths.
            var (segment, offset) = Locate(_position);
            var count = (int)Math.Min(Math.Min(segment.Length - offset, buffer.Length - read), _length - _position);
            segment.AsSpan(offset, count).CopyTo(buffer[read..]);
            read += count;
            _position += count;
        }

        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        Position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private (byte[] Segment, int Offset) Locate(long position)
    {
        foreach (var segment in _segments)
        {
            if (position < segment.Length)
            {
                return (segment, (int)position);
            }

            position -= segment.Length;
        }

        throw new InvalidOperationException("The position is past the segments.");
    }
}
