using System.Text;
using CloneFlow.Core.ServiceNow.UpdateSets;
using static CloneFlow.Core.Tests.Support.UnloadXml;

namespace CloneFlow.Core.Tests.ServiceNow.UpdateSets;

public class UpdateSetXmlReaderHostileInputTests
{
    [Fact]
    public async Task An_external_entity_is_refused_before_anything_is_read()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"cloneflow-xxe-{Guid.NewGuid():N}.txt");
        await System.IO.File.WriteAllTextAsync(secret, "TOP-SECRET");
        try
        {
            var xml = $"{Declaration}<!DOCTYPE unload [<!ENTITY xxe SYSTEM \"file://{secret}\">]><unload><sys_update_xml><payload>&xxe;</payload></sys_update_xml></unload>";

            var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(xml));

            Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("TOP-SECRET", error.ToString(), StringComparison.Ordinal);
            // The parser gives no position for a refused DTD; the message says where it is instead.
            Assert.Contains("<!DOCTYPE> before the root element", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            System.IO.File.Delete(secret);
        }
    }

    [Fact]
    public async Task A_billion_laughs_file_is_refused_without_expanding_anything()
    {
        var dtd = new StringBuilder("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (var i = 1; i <= 9; i++)
        {
            dtd.Append(System.Globalization.CultureInfo.InvariantCulture, $"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? string.Empty : (i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))};", 10))}\">");
        }

        dtd.Append("]>");
        var xml = $"{Declaration}{dtd}<unload><sys_update_xml><payload>&lol9;</payload></sys_update_xml></unload>";
        var before = GC.GetTotalAllocatedBytes();

        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(xml));

        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 50_000_000, "the entities must not have been expanded");
    }

    [Fact]
    public async Task A_truncated_file_names_the_truncation_and_where_it_stopped()
    {
        var whole = File(RemoteSet("s1", "Set"), Update("u1", "s1", "<payload>abc</payload>"));
        var cut = whole[..(whole.Length / 2)];

        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(cut));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.True(error.LineNumber > 1);
        Assert.Contains($"line {error.LineNumber}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_cut_right_after_a_record_is_still_truncated()
    {
        var whole = File(RemoteSet("s1", "Set"));
        var cut = whole[..whole.IndexOf("</unload>", StringComparison.Ordinal)];

        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(cut));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_root_names_the_root_it_found()
    {
        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync($"{Declaration}\n<xml><sys_update_xml/></xml>"));

        Assert.Contains("the root element is <xml>, expected <unload>", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal(2, error.LinePosition);
    }

    [Theory]
    [InlineData("{\"result\": []}")]
    [InlineData("PK\u0003\u0004 zip bytes")]
    [InlineData("sys_id,name\n1,a\n")]
    public async Task Text_that_is_not_XML_is_named_as_such(string content)
    {
        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(content));

        Assert.StartsWith("not an XML file", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.LineNumber);
    }

    [Fact]
    public async Task An_empty_file_is_named_as_such()
    {
        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(new MemoryStream()));

        Assert.Equal("not an XML file: it is empty", error.Problem);
    }

    [Fact]
    public async Task Text_directly_inside_unload_is_refused()
    {
        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync($"{Declaration}<unload>\nhello<sys_update_xml/></unload>"));

        Assert.Contains("unexpected text inside <unload>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_element_inside_a_field_is_refused_with_the_field_named()
    {
        var xml = File(Update("u1", "s1", "<payload><record_update table=\"x\"/></payload>"));

        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(xml));

        Assert.Contains("field <payload> of <sys_update_xml> contains an element", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_document_after_unload_is_refused()
    {
        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(File() + "<unload/>"));

        Assert.Contains("not well-formed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undeclared_entity_is_refused()
    {
        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(File(Update("u1", "s1", "<payload>&nbsp;</payload>"))));

        Assert.Contains("not well-formed", error.Message, StringComparison.Ordinal);
        Assert.True(error.LineNumber > 1);
    }

    [Fact]
    public async Task Invalid_UTF8_is_named_as_such()
    {
        var bytes = Encoding.UTF8.GetBytes(File(Update("u1", "s1", "<payload>ab</payload>"))).ToList();
        var at = bytes.IndexOf((byte)'a');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        var error = await Assert.ThrowsAsync<UpdateSetFormatException>(() => ReadAllAsync(new MemoryStream(bytes.ToArray())));

        Assert.True(error.Message.Contains("UTF-8", StringComparison.Ordinal) || error.Message.Contains("not well-formed", StringComparison.Ordinal), error.Message);
    }
}
