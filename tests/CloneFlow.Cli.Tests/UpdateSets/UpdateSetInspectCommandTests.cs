using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Cli.Tests.UpdateSets;

public class UpdateSetInspectCommandTests
{
    public static TheoryData<string> Exports => RealExports.Names();

    [Theory]
    [MemberData(nameof(Exports))]
    public async Task Json_agrees_with_an_independent_parse_of_the_real_export(string name)
    {
        var path = RealExports.PathOf(name);
        var document = IndependentParse.Load(path);

        var run = await CliRun.RunAsync(["updateset", "inspect", path, "--json"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        using var json = JsonDocument.Parse(run.Output);
        var updates = json.RootElement.GetProperty("updates").EnumerateArray().ToList();
        var expectedUpdates = document.Root!.Elements("sys_update_xml").ToList();
        Assert.Equal(expectedUpdates.Count, updates.Count);
        for (var i = 0; i < updates.Count; i++)
        {
            var expected = expectedUpdates[i];
            Assert.Equal(expected.Element("sys_id")?.Value, updates[i].GetProperty("sysId").GetString());
            Assert.Equal(expected.Element("name")?.Value, updates[i].GetProperty("name").GetString());
            Assert.Equal(expected.Element("action")?.Value, updates[i].GetProperty("action").GetString());
            Assert.Equal(expected.Element("table")?.Value, updates[i].GetProperty("table").GetString());
            Assert.Equal(expected.Element("type")?.Value, updates[i].GetProperty("type").GetString());
            Assert.Equal(expected.Element("remote_update_set")?.Value, updates[i].GetProperty("updateSet").GetString());
            var payloadHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expected.Element("payload")!.Value)));
            Assert.Equal(payloadHash, updates[i].GetProperty("payloadSha256").GetString());
        }

        var set = Assert.Single(json.RootElement.GetProperty("updateSets").EnumerateArray());
        var expectedSet = Assert.Single(document.Root.Elements("sys_remote_update_set"));
        Assert.Equal(expectedSet.Element("sys_id")!.Value, set.GetProperty("sysId").GetString());
        Assert.Equal(expectedSet.Element("name")!.Value, set.GetProperty("name").GetString());
        Assert.Equal(expectedSet.Element("remote_sys_id")!.Value, set.GetProperty("remoteSysId").GetString());
        Assert.Equal(expectedSet.Element("application_scope")!.Value, set.GetProperty("applicationScope").GetString());
        Assert.Equal(expectedSet.Element("state")!.Value, set.GetProperty("state").GetString());
        Assert.Equal(expectedSet.Element("parent")!.Value, set.GetProperty("parent").GetString());
        Assert.Equal(expectedSet.Element("remote_base_update_set")!.Value, set.GetProperty("baseUpdateSet").GetString());
        Assert.Equal(expectedUpdates.Count, set.GetProperty("updateCount").GetInt32());
        Assert.Empty(json.RootElement.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task Missing_elements_are_null_in_json()
    {
        var path = await WriteTempAsync(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><unload unload_date=\"2016-02-01 10:00:00\">"
            + "<sys_remote_update_set action=\"INSERT_OR_UPDATE\"><name>Old</name><sys_id>s1</sys_id></sys_remote_update_set>"
            + "<sys_update_xml action=\"INSERT_OR_UPDATE\"><name>n</name><remote_update_set>s1</remote_update_set></sys_update_xml></unload>");

        var run = await CliRun.RunAsync(["updateset", "inspect", "--json", path]);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var set = json.RootElement.GetProperty("updateSets")[0];
        Assert.Equal(JsonValueKind.Null, set.GetProperty("parent").ValueKind);
        Assert.Equal(JsonValueKind.Null, set.GetProperty("baseUpdateSet").ValueKind);
        Assert.Equal(1, set.GetProperty("updateCount").GetInt32());
        var update = json.RootElement.GetProperty("updates")[0];
        Assert.Equal(JsonValueKind.Null, update.GetProperty("action").ValueKind);
        Assert.Equal(JsonValueKind.Null, update.GetProperty("payloadSha256").ValueKind);
        Assert.Equal(JsonValueKind.Null, update.GetProperty("sysId").ValueKind);
    }

    [Fact]
    public async Task The_summary_for_people_names_sets_counts_types_and_warnings()
    {
        var path = await WriteTempAsync(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><unload unload_date=\"2024-01-01 00:00:00\">"
            + "<sys_remote_update_set action=\"INSERT_OR_UPDATE\"><name>Base</name><sys_id>b</sys_id><parent/></sys_remote_update_set>"
            + "<sys_remote_update_set action=\"INSERT_OR_UPDATE\"><name>Child</name><sys_id>c</sys_id><parent>b</parent></sys_remote_update_set>"
            + "<sys_update_xml action=\"INSERT_OR_UPDATE\"><action>DELETE</action><type>Business Rule</type><name>x</name><payload>p</payload><remote_update_set>c</remote_update_set></sys_update_xml>"
            + "<sys_update_xml action=\"INSERT_OR_UPDATE\"><action>INSERT_OR_UPDATE</action><type>Business Rule</type><name>y</name><payload>q</payload><remote_update_set>elsewhere</remote_update_set></sys_update_xml>"
            + "</unload>");

        var run = await CliRun.RunAsync(["updateset", "inspect", path]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2 update sets, 2 updates (1 DELETE, 1 INSERT_OR_UPDATE)", run.Output, StringComparison.Ordinal);
        Assert.Contains("batch base of 1 child set", run.Output, StringComparison.Ordinal);
        Assert.Contains("batch child of Base", run.Output, StringComparison.Ordinal);
        Assert.Contains("Business Rule", run.Output, StringComparison.Ordinal);
        Assert.Contains("Warnings (1)", run.Output, StringComparison.Ordinal);
        Assert.Contains("update y point at update set elsewhere, which is not in this file", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?><unload><sys_update_xml>", "truncated")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE unload [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><unload>&x;</unload>", "DTD")]
    [InlineData("<?xml version=\"1.0\"?><records/>", "the root element is <records>, expected <unload>")]
    [InlineData("hello", "not an XML file")]
    public async Task Bad_input_exits_non_zero_with_one_line_on_stderr(string content, string expected)
    {
        var path = await WriteTempAsync(content);

        var run = await CliRun.RunAsync(["updateset", "inspect", "--json", path]);

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"cloneflow: {path}: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_exits_1_naming_the_file()
    {
        var run = await CliRun.RunAsync(["updateset", "inspect", "/nonexistent/export.xml"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("cloneflow: /nonexistent/export.xml: no such file", run.Error.Trim());
    }

    [Fact]
    public async Task A_usage_error_exits_2()
    {
        var run = await CliRun.RunAsync(["updateset", "inspect"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cloneflow --help", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standard_input_is_read_for_a_dash()
    {
        var file = await File.ReadAllBytesAsync(RealExports.PathOf("kalai_export_with_name.xml"));

        var run = await CliRun.RunAsync(["updateset", "inspect", "-"], file);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("standard input: update-set export, unloaded 2020-06-11 13:31:45", run.Output, StringComparison.Ordinal);
    }

    private static async Task<string> WriteTempAsync(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cloneflow-cli-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
