using System.Security.Cryptography;
using CloneFlow.Core.Artifacts;

namespace CloneFlow.Core.Tests.Artifacts;

public class SegmentReadStreamTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(5, 1)]
    [InlineData(1000, 7)]
    [InlineData(4096, 4096)]
    public async Task Reads_the_held_bytes_across_segments_in_reads_of_any_size_and_stops_at_the_length(int length, int readSize)
    {
        var (segments, content) = Segments(length, segmentSize: 256, extraInLast: 100);
        await using var stream = new SegmentReadStream(segments, length);

        using var copy = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(length, stream.Position);
        Assert.Equal(0, stream.Read(buffer, 0, buffer.Length));
    }

    [Fact]
    public void Seeks_back_and_reads_the_same_bytes_again_as_the_storage_client_does_after_hashing_a_block()
    {
        var (segments, content) = Segments(1000, segmentSize: 256, extraInLast: 0);
        using var stream = new SegmentReadStream(segments, 1000);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(stream));

        Assert.Equal(0, stream.Seek(0, SeekOrigin.Begin));
        Assert.Equal(content, ReadAll(stream));
        Assert.Equal(700, stream.Seek(-300, SeekOrigin.End));
        Assert.Equal(content[700..], ReadAll(stream));
        stream.Position = 255;
        Assert.Equal(255, stream.Seek(0, SeekOrigin.Current));
        Assert.Equal(content[255..], ReadAll(stream));
    }

    [Fact]
    public void Refuses_a_length_past_its_segments_and_any_write()
    {
        var (segments, _) = Segments(300, segmentSize: 256, extraInLast: 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentReadStream(segments, 513));
        using var stream = new SegmentReadStream(segments, 300);
        Assert.False(stream.CanWrite);
        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(1));
    }

    /// <summary>Content cut into full segments and a last one with room to spare (as a pooled array has).</summary>
    private static (List<byte[]> Segments, byte[] Content) Segments(int length, int segmentSize, int extraInLast)
    {
        var content = RandomNumberGenerator.GetBytes(length);
        var segments = new List<byte[]>();
        for (var start = 0; start < length || segments.Count == 0; start += segmentSize)
        {
            var count = Math.Min(segmentSize, length - start);
            var segment = new byte[count == segmentSize ? segmentSize : count + extraInLast];
            content.AsSpan(start, count).CopyTo(segment);
            segments.Add(segment);
        }

        return (segments, content);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
