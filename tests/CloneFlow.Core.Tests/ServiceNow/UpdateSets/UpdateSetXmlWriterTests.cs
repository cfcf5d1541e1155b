using System.Text;
using CloneFlow.Core.ServiceNow.UpdateSets;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.ServiceNow.UpdateSets;

public class UpdateSetXmlWriterTests
{
    [Fact]
    public async Task Writes_the_unload_format_ServiceNow_imports()
    {
        var set = new RemoteUpdateSetRecord("INSERT_OR_UPDATE", [new("name", "My set"), new("parent", string.Empty, [new("display_value", string.Empty)]), new("sys_id", "s1")]);

        var text = await WriteAsync("2026-11-25 09:30:00", set);

        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><unload unload_date=\"2026-11-25 09:30:00\">\n"
            + "<sys_remote_update_set action=\"INSERT_OR_UPDATE\">\n<name>My set</name>\n<parent display_value=\"\" />\n<sys_id>s1</sys_id>\n</sys_remote_update_set>\n"
            + "</unload>",
            text);
    }

    [Theory]
    [InlineData("<![CDATA[var x = a[b[0]]]>; if (x > 1 && y < 2) {}]]>")]
    [InlineData("line1\r\nline2\rline3\n")]
    [InlineData("\ttabs\t and  spaces  ")]
    [InlineData("quotes \" and ' and &amp; literal")]
    [InlineData("unicode: é ü 漢字 😀 \u2028")]
    public async Task Any_payload_text_survives_a_round_trip_character_for_character(string payload)
    {
        var update = new UpdateXmlRecord("INSERT_OR_UPDATE", [new("action", "INSERT_OR_UPDATE"), new("payload", payload), new("sys_id", "u1")]);

        var text = await WriteAsync("2026-01-01 00:00:00", update);
        var back = Assert.IsType<UpdateXmlRecord>(Assert.Single(await UnloadXml.ReadAllAsync(text)));

        Assert.Equal(payload, back.Payload);
        Assert.DoesNotContain("<![CDATA[<", text[text.IndexOf("<payload>", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attribute_values_with_tabs_newlines_and_quotes_survive()
    {
        var field = new UnloadField("application", "global", [new("display_value", "a\tb\nc \"q\" <x> & y")]);
        var record = new UnloadRecord("sys_app", "INSERT_OR_UPDATE", [field]);

        var back = Assert.Single(await UnloadXml.ReadAllAsync(await WriteAsync("d", record)));

        Assert.Equal(field, back.Field("application"));
    }

    [Fact]
    public async Task A_file_never_completed_is_read_as_truncated()
    {
        using var stream = new MemoryStream();
        await using (var writer = await UpdateSetXmlWriter.CreateAsync(stream, "d"))
        {
            await writer.WriteAsync(new UnloadRecord("sys_app", "INSERT_OR_UPDATE", [new("name", "x")]));
        }

        stream.Position = 0;
        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => UnloadXml.ReadAllAsync(stream));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_field_name_is_refused_instead_of_writing_broken_XML()
    {
        using var stream = new MemoryStream();
        await using var writer = await UpdateSetXmlWriter.CreateAsync(stream, "d");

        await Assert.ThrowsAsync<System.Xml.XmlException>(() => writer.WriteAsync(new UnloadRecord("sys_app", "INSERT_OR_UPDATE", [new("bad name", "x")])));
    }

    [Fact]
    public void Unload_dates_are_written_in_UTC_in_ServiceNow_format()
    {
        Assert.Equal("2026-11-25 08:30:05", UpdateSetXmlWriter.FormatUnloadDate(new DateTimeOffset(2026, 11, 25, 9, 30, 5, TimeSpan.FromHours(1))));
    }

    private static async Task<string> WriteAsync(string unloadDate, params UnloadRecord[] records)
    {
        using var stream = new MemoryStream();
        await using (var writer = await UpdateSetXmlWriter.CreateAsync(stream, unloadDate))
        {
            foreach (var record in records)
            {
                await writer.WriteAsync(record);
            }

            await writer.CompleteAsync();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
