using System.Buffers;
using System.Text;
using System.Text.Json;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Tests.ServiceNow.Tables;

public class TableResultParserTests
{
    private const string Answer = """{"result":[{"sys_id":"a1","name":"first","payload":"<x>\u00e9</x>"},{"sys_id":"b2","name":null,"ref":{"value":"c3","link":"https://x"}},{"sys_id":"c3","name":"third"}]}""";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100_000)]
    public void Rows_cut_at_any_chunk_boundary_come_out_whole_and_in_order(int chunk)
    {
        var rows = ParseInChunks(Encoding.UTF8.GetBytes(Answer), chunk);

        Assert.Equal(["a1", "b2", "c3"], rows.Select(r => r.SysId));
        Assert.Equal("<x>é</x>", rows[0].Get("payload"));
        Assert.Null(rows[1].Get("name"));
        Assert.Equal("c3", rows[1].Get("ref"));
    }

    [Theory]
    [InlineData("""{"result":[]}""", 0)]
    [InlineData("""{"meta":{"a":[1,2,{"b":3}]},"result":[{"sys_id":"x"}]}""", 1)]
    public void Other_properties_before_the_list_are_skipped_and_an_empty_list_is_no_rows(string json, int expected)
    {
        Assert.Equal(expected, ParseInChunks(Encoding.UTF8.GetBytes(json), 3).Count);
    }

    [Theory]
    [InlineData("""[{"sys_id":"x"}]""")]
    [InlineData("""{"error":{"message":"no"}}""")]
    [InlineData("""{"result":{"sys_id":"x"}}""")]
    [InlineData("""{"result":[1,2]}""")]
    [InlineData("""{"result":[{"sys_id":"x"},""")]
    [InlineData("")]
    public void What_is_not_a_whole_result_list_is_refused(string json)
    {
        Assert.ThrowsAny<JsonException>(() => ParseInChunks(Encoding.UTF8.GetBytes(json), 4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(13)]
    public void Rows_over_many_small_segments_read_as_from_one_buffer_every_kind_of_value(int segment)
    {
        // Escapes, numbers, booleans, references with and without a value, a nested list, and rows that
        // name their fields in another order: each value as a parsed document would give it.
        const string json = """{"result":[{"sys_id":"a1","payload":"line\none \"quoted\" \u00e9\ud83d\ude00","count":12.5,"active":true,"ref":{"link":"https://x","value":"c3"},"dv":{"display_value":"D"},"list":[1,{"a":2}],"gone":null},{"name":"second","sys_id":"b2","count":-3}]}""";
        var expected = new List<ServiceNowRecord>();
        using (var document = JsonDocument.Parse(json))
        {
            expected.AddRange(document.RootElement.GetProperty("result").EnumerateArray().Select(ServiceNowRecord.FromJson));
        }

        var parser = new TableResultParser();
        var rows = new List<ServiceNowRecord>();
        var bytes = Encoding.UTF8.GetBytes(json);
        var start = 0;
        for (var end = Math.Min(bytes.Length, segment); ; end = Math.Min(bytes.Length, end + segment))
        {
            // The unread bytes as a chain of tiny segments, the way a pipe hands over what arrived in pieces.
            var unread = Segments(bytes.AsMemory(start, end - start), segment);
            var used = parser.Parse(unread, end == bytes.Length, rows);
            start += (int)unread.Slice(0, used).Length;
            if (parser.Done)
            {
                break;
            }
        }

        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].Values.OrderBy(v => v.Key, StringComparer.Ordinal), rows[i].Values.OrderBy(v => v.Key, StringComparer.Ordinal));
        }

        Assert.Equal("line\none \"quoted\" é\U0001F600", rows[0].Get("payload"));
        Assert.Equal("12.5", rows[0].Get("count"));
        Assert.Equal("true", rows[0].Get("active"));
        Assert.Equal("c3", rows[0].Get("ref"));
        Assert.Null(rows[0].Get("gone"));
        Assert.Equal("second", rows[1].Get("name"));
    }

    private static ReadOnlySequence<byte> Segments(ReadOnlyMemory<byte> bytes, int size)
    {
        if (bytes.Length <= size)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes[..size], 0);
        var last = first;
        for (var offset = size; offset < bytes.Length; offset += size)
        {
            last = last.Append(bytes.Slice(offset, Math.Min(size, bytes.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Feeds the bytes as a pipe would: what was not used is offered again with the next chunk.</summary>
    private static List<ServiceNowRecord> ParseInChunks(byte[] bytes, int chunk)
    {
        var parser = new TableResultParser();
        var rows = new List<ServiceNowRecord>();
        var start = 0;
        var end = 0;
        while (!parser.Done)
        {
            end = Math.Min(bytes.Length, end + chunk);
            var final = end == bytes.Length;
            var buffer = new ReadOnlySequence<byte>(bytes, start, end - start);
            var used = parser.Parse(buffer, final, rows);
            start += (int)buffer.Slice(0, used).Length;
            if (final && !parser.Done)
            {
                throw new InvalidOperationException("the parser neither finished nor refused the whole answer");
            }
        }

        return rows;
    }
}
