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
