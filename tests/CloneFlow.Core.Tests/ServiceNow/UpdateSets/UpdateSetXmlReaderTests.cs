using System.Text;
using CloneFlow.Core.ServiceNow.UpdateSets;
using CloneFlow.Core.Tests.Support;
using static CloneFlow.Core.Tests.Support.UnloadXml;

namespace CloneFlow.Core.Tests.ServiceNow.UpdateSets;

public class UpdateSetXmlReaderTests
{
    private const string Script = "var a = 1 < 2 && \"x\" != 'y';\n\tgs.info(a);";

    [Fact]
    public async Task Escaped_and_CDATA_payloads_in_one_file_decode_to_the_same_text()
    {
        var inner = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><record_update table=\"sys_script_include\"><script><![CDATA[{Script}]]></script></record_update>";
        var escaped = inner.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        // A CDATA section cannot hold "]]>", so ServiceNow splits it: "]]]]><![CDATA[>".
        var cdata = "<![CDATA[" + inner.Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal) + "]]>";
        var xml = File(
            RemoteSet("s1", "Set"),
            Update("u1", "s1", $"<payload>{escaped}</payload>"),
            Update("u2", "s1", $"<payload>{cdata}</payload>"));

        var updates = (await ReadAllAsync(xml)).OfType<UpdateXmlRecord>().ToList();

        Assert.Equal(2, updates.Count);
        Assert.Equal(inner, updates[0].Payload);
        Assert.Equal(inner, updates[1].Payload);
    }

    [Fact]
    public async Task Self_closing_and_open_close_empty_elements_are_both_empty_and_missing_ones_are_null()
    {
        var xml = File(Update("u1", "s1", "<payload/>", extra: "<comments></comments>\n<view/>\n"));

        var update = Assert.IsType<UpdateXmlRecord>(Assert.Single(await ReadAllAsync(xml)));

        Assert.Equal(string.Empty, update.Payload);
        Assert.Equal(string.Empty, update.Get("comments"));
        Assert.Equal(string.Empty, update.Get("view"));
        Assert.Equal(string.Empty, update.Get("table"));
        Assert.Null(update.Get("payload_hash"));
        Assert.Null(update.Field("update_guid"));
    }

    [Fact]
    public async Task Files_from_2016_without_batch_and_guid_fields_read_with_nulls()
    {
        const string set = "<sys_remote_update_set action=\"INSERT_OR_UPDATE\"><name>Old</name><state>loaded</state><sys_id>s1</sys_id></sys_remote_update_set>";
        const string update = "<sys_update_xml action=\"INSERT_OR_UPDATE\"><action>DELETE</action><name>sys_ui_policy_1</name><payload>&lt;record_update/&gt;</payload><remote_update_set display_value=\"Old\">s1</remote_update_set><sys_id>u1</sys_id></sys_update_xml>";

        var records = await ReadAllAsync(File(set, update));

        var header = Assert.IsType<RemoteUpdateSetRecord>(records[0]);
        Assert.Null(header.Parent);
        Assert.Null(header.BaseUpdateSet);
        Assert.Null(header.Get("remote_parent_id"));
        var change = Assert.IsType<UpdateXmlRecord>(records[1]);
        Assert.Equal("DELETE", change.Action);
        Assert.Equal(UnloadRecord.DefaultElementAction, change.ElementAction);
        Assert.Null(change.Get("payload_hash"));
        Assert.Null(change.Get("update_guid_history"));
        Assert.Equal("<record_update/>", change.Payload);
    }

    [Fact]
    public async Task Tabs_and_whitespace_inside_values_are_kept_and_indentation_between_elements_is_not_a_field()
    {
        var xml = $"{Declaration}\n<unload unload_date=\"x\">\n\t<sys_update_xml action=\"INSERT_OR_UPDATE\">\n\t\t<name>\tlead tab</name>\n\t\t<payload>  \n\t</payload>\n\t\t<comments>a\r\nb\rc</comments>\n\t</sys_update_xml>\n</unload>";

        var update = Assert.IsType<UpdateXmlRecord>(Assert.Single(await ReadAllAsync(xml)));

        Assert.Equal(["name", "payload", "comments"], update.Fields.Select(f => f.Name));
        Assert.Equal("\tlead tab", update.Name);
        Assert.Equal("  \n\t", update.Payload);
        // XML requires CRLF and lone CR to reach the application as LF.
        Assert.Equal("a\nb\nc", update.Get("comments"));
    }

    [Fact]
    public async Task Attributes_such_as_display_value_are_kept_in_order()
    {
        var xml = File(Update("u1", "s1", "<payload/>", extra: "<application display_value=\"Work &amp; Rate\" source=\"x\">abc</application>\n"));

        var update = Assert.Single(await ReadAllAsync(xml));

        var application = update.Field("application")!;
        Assert.Equal("abc", application.Value);
        Assert.Equal([new("display_value", "Work & Rate"), new("source", "x")], application.Attributes);
        Assert.Equal("Work & Rate", application.Attribute("display_value"));
        Assert.Equal("Set", update.Field("remote_update_set")!.Attribute("display_value"));
    }

    [Fact]
    public async Task Batches_yield_every_set_with_its_parent_and_base()
    {
        var xml = File(
            RemoteSet("base", "Base"),
            RemoteSet("child1", "Child 1", parent: "base"),
            RemoteSet("child2", "Child 2", parent: "base"),
            Update("u1", "child1", "<payload>a</payload>"),
            Update("u2", "child2", "<payload>b</payload>"),
            Update("u3", "base", "<payload>c</payload>"));

        var reader = new UpdateSetXmlReader(UnloadXml.Stream(xml));
        var records = new List<UnloadRecord>();
        await foreach (var record in reader.ReadAsync())
        {
            records.Add(record);
        }

        var sets = records.OfType<RemoteUpdateSetRecord>().ToList();
        Assert.Equal(["base", "child1", "child2"], sets.Select(s => s.SysId));
        Assert.Equal(["", "base", "base"], sets.Select(s => s.Parent));
        Assert.Equal(["", "base", "base"], sets.Select(s => s.BaseUpdateSet));
        Assert.Equal(["child1", "child2", "base"], records.OfType<UpdateXmlRecord>().Select(u => u.RemoteUpdateSet));
        Assert.Empty(reader.Warnings);
        Assert.Equal("2024-05-01 10:00:00", reader.UnloadDate);
    }

    [Fact]
    public async Task Multi_megabyte_payloads_come_back_whole()
    {
        var big = new StringBuilder();
        for (var i = 0; big.Length < 6 * 1024 * 1024; i++)
        {
            big.Append("line ").Append(i).Append(" <tag attr=\"v\"> & more\n");
        }

        var payload = big.ToString();
        var escaped = System.Security.SecurityElement.Escape(payload);
        var update = Assert.IsType<UpdateXmlRecord>(Assert.Single(await ReadAllAsync(File(Update("u1", "s1", $"<payload>{escaped}</payload>")))));

        Assert.Equal(payload.Length, update.Payload!.Length);
        Assert.Equal(payload, update.Payload);
    }

    [Fact]
    public async Task Records_of_other_tables_come_back_as_plain_records()
    {
        var xml = File("<sys_properties action=\"INSERT_OR_UPDATE\"><name>glide.email.smtp.active</name><value>false</value><sys_id>p1</sys_id></sys_properties>\n");

        var record = Assert.Single(await ReadAllAsync(xml));

        Assert.Equal("sys_properties", record.Table);
        Assert.IsNotType<UpdateXmlRecord>(record);
        Assert.Equal("false", record.Get("value"));
        Assert.Equal("p1", record.SysId);
    }

    [Fact]
    public async Task An_empty_unload_yields_no_records()
    {
        Assert.Empty(await ReadAllAsync($"{Declaration}<unload unload_date=\"2024-01-01 00:00:00\"/>"));
        Assert.Empty(await ReadAllAsync($"{Declaration}<unload unload_date=\"2024-01-01 00:00:00\">\n</unload>"));
    }

    [Fact]
    public async Task An_update_pointing_at_a_set_not_in_the_file_is_a_warning_with_its_line()
    {
        var xml = File(
            RemoteSet("s1", "Present"),
            Update("u1", "s1", "<payload>a</payload>"),
            Update("u2", "gone", "<payload>b</payload>"),
            Update("u3", "gone", "<payload>c</payload>"));
        var reader = new UpdateSetXmlReader(UnloadXml.Stream(xml));

        var count = 0;
        await foreach (var unused in reader.ReadAsync())
        {
            count++;
        }

        Assert.Equal(4, count);
        var warning = Assert.Single(reader.Warnings);
        Assert.Contains("2 updates (first: sys_script_include_u2)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("update set gone, which is not in this file", warning.Message, StringComparison.Ordinal);
        var lineOfU2 = xml[..xml.IndexOf("<action>INSERT_OR_UPDATE</action>\n<name>sys_script_include_u2", StringComparison.Ordinal)].Count(c => c == '\n');
        Assert.Equal(lineOfU2, warning.LineNumber);
    }

    [Fact]
    public async Task Counting_reports_the_same_warning_for_updates_whose_set_is_missing()
    {
        var xml = File(
            RemoteSet("s1", "Present"),
            Update("u1", "s1", "<payload>a</payload>"),
            Update("u2", "gone", "<payload>b</payload>"));

        var count = await UpdateSetFileScanner.CountAsync(UnloadXml.Stream(xml));

        Assert.Equal(2, count.Updates);
        Assert.Empty(count.OtherRecordsByTable);
        Assert.Contains("update set gone, which is not in this file", Assert.Single(count.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_of_some_fields_returns_only_those_and_still_refuses_a_file_cut_off_in_a_skipped_one()
    {
        var xml = File(RemoteSet("s1", "Present"), Update("u1", "s1", "<payload>a &amp; b</payload>"));
        var records = new List<UnloadRecord>();
        await foreach (var record in new UpdateSetXmlReader(UnloadXml.Stream(xml), new HashSet<string>(StringComparer.Ordinal) { "sys_id", "remote_update_set" }).ReadAsync())
        {
            records.Add(record);
        }

        Assert.Equal(["sys_id"], records[0].Fields.Select(f => f.Name));
        Assert.Equal(["remote_update_set", "sys_id"], records[1].Fields.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal("s1", ((UpdateXmlRecord)records[1]).RemoteUpdateSet);

        // Cut off inside a payload the reader skips: still a truncated file, not a short count.
        var cut = xml[..(xml.IndexOf("a &amp; b", StringComparison.Ordinal) + 3)];
        await Assert.ThrowsAsync<UpdateSetFormatException>(() => UpdateSetFileScanner.CountAsync(UnloadXml.Stream(cut)));
    }

    [Fact]
    public async Task A_set_that_comes_after_its_updates_is_not_a_warning()
    {
        var reader = new UpdateSetXmlReader(UnloadXml.Stream(File(Update("u1", "late", "<payload/>"), RemoteSet("late", "Late"))));

        await foreach (var unused in reader.ReadAsync())
        {
        }

        Assert.Empty(reader.Warnings);
    }

    [Fact]
    public async Task A_reader_reads_its_stream_once()
    {
        var reader = new UpdateSetXmlReader(UnloadXml.Stream(File()));
        await foreach (var unused in reader.ReadAsync())
        {
        }

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var unused in reader.ReadAsync())
            {
            }
        });
    }

    [Fact]
    public async Task Cancellation_stops_between_records()
    {
        using var cancellation = new CancellationTokenSource();
        var reader = new UpdateSetXmlReader(UnloadXml.Stream(File(RemoteSet("a", "A"), RemoteSet("b", "B"), RemoteSet("c", "C"))));
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in reader.ReadAsync(cancellation.Token))
            {
                seen++;
                await cancellation.CancelAsync();
            }
        });
        Assert.Equal(1, seen);
    }
}
