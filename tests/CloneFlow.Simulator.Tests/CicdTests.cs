using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace CloneFlow.Simulator.Tests;

public sealed class CicdTests
{
    private static string Payload(string table, string sysId, string name) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><record_update table=\"{table}\"><{table} action=\"INSERT_OR_UPDATE\"><name>{name}</name><script><![CDATA[var x = 1 < 2;]]></script><sys_id>{sysId}</sys_id></{table}></record_update>";

    private static string Id(int n) => n.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Inserts a remote set and its updates through the Table API, as CloneFlow re-imports exports.</summary>
    private static async Task<string> ImportAsync(HttpClient client, string name, (string Table, int Record, string RecordedAt)[] updates, string? parent = null)
    {
        var (created, body) = await client.PostAsync2("api/now/table/sys_remote_update_set", new
        {
            name,
            state = "loaded",
            application = "global",
            parent = parent ?? string.Empty,
            remote_base_update_set = parent ?? string.Empty,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var setId = body.GetProperty("result").GetProperty("sys_id").GetString()!;
        foreach (var (table, record, recordedAt) in updates)
        {
            var (inserted, _) = await client.PostAsync2("api/now/table/sys_update_xml", new
            {
                name = $"{table}_{Id(record)}",
                action = "INSERT_OR_UPDATE",
                payload = Payload(table, Id(record), $"Record{record}"),
                remote_update_set = setId,
                sys_recorded_at = recordedAt,
                type = "Script Include",
            });
            Assert.Equal(HttpStatusCode.Created, inserted.StatusCode);
        }

        return setId;
    }

    private const string Early = "19b8d7a4000" + "0000001";
    private const string Late = "19b8d7a4fff" + "0000001";

    private static async Task<JsonElement> RunAsync(Sim sim, HttpClient client, string url)
    {
        var (response, started) = await client.PostAsync2(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await sim.CompleteAsync(client, started);
    }

    private static async Task<JsonElement[]> ProblemsAsync(HttpClient client, string setId)
    {
        var (_, body) = await client.GetAsync2($"api/now/v2/table/sys_update_preview_problem?sysparm_query=remote_update_set={setId}");
        return body.Result();
    }

    [Fact]
    public async Task Calls_are_asynchronous_pending_then_running_then_successful()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("prod");
        var setId = await ImportAsync(client, "Async", [("sys_script_include", 1, Early)]);
        var (_, started) = await client.PostAsync2($"api/sn_cicd/update_set/preview/{setId}");
        var result = started.GetProperty("result");
        Assert.Equal("0", result.GetProperty("status").GetString());
        Assert.Equal("Pending", result.GetProperty("status_label").GetString());
        var progressUrl = result.GetProperty("links").GetProperty("progress").GetProperty("url").GetString()!;
        Assert.StartsWith(sim.Host.Instances["prod"].ToString(), progressUrl, StringComparison.Ordinal);

        sim.Advance(TimeSpan.FromSeconds(12));
        var (_, running) = await client.GetAsync2(progressUrl);
        Assert.Equal("Running", running.GetProperty("result").GetProperty("status_label").GetString());
        Assert.InRange(running.GetProperty("result").GetProperty("percent_complete").GetInt32(), 1, 99);

        sim.Advance(TimeSpan.FromSeconds(20));
        var (_, done) = await client.GetAsync2(progressUrl);
        Assert.Equal("2", done.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal("Successful", done.GetProperty("result").GetProperty("status_label").GetString());
        Assert.Equal(100, done.GetProperty("result").GetProperty("percent_complete").GetInt32());

        var (missing, _) = await client.GetAsync2("api/sn_cicd/progress/doesnotexist");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Preview_reports_a_missing_object_when_the_payload_table_belongs_to_an_inactive_plugin_and_commit_waits_for_resolution()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("prod");
        var setId = await ImportAsync(client, "STRY0042 Agile board tweaks", [("rm_story", 1, Early), ("sys_script_include", 2, Early)]);

        var preview = await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{setId}");
        Assert.Equal("Successful", preview.GetProperty("status_label").GetString());
        Assert.Equal("previewed", sim["prod"].GetRecord("sys_remote_update_set", setId)!["state"]);
        var problem = Assert.Single(await ProblemsAsync(client, setId));
        Assert.Equal("error", problem.GetProperty("type").GetString());
        Assert.Contains("rm_story", problem.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, problem.GetProperty("status").GetString());

        var refused = await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{setId}");
        Assert.Equal("Failed", refused.GetProperty("status_label").GetString());
        Assert.Contains("unresolved", refused.GetProperty("status_message").GetString(), StringComparison.Ordinal);
        Assert.Equal("previewed", sim["prod"].GetRecord("sys_remote_update_set", setId)!["state"]);

        var (patched, _) = await client.PatchAsync2($"api/now/table/sys_update_preview_problem/{problem.GetProperty("sys_id").GetString()}", new { status = "skipped" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var commit = await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{setId}");
        Assert.Equal("Successful", commit.GetProperty("status_label").GetString());

        var remote = sim["prod"].GetRecord("sys_remote_update_set", setId)!;
        Assert.Equal("committed", remote["state"]);
        var local = Assert.Single(sim["prod"].GetRecords("sys_update_set", "name=STRY0042 Agile board tweaks"));
        Assert.Equal("complete", local["state"]);
        Assert.Equal(local["sys_id"], remote["update_set"]);
        Assert.Equal("Record2", sim["prod"].GetRecord("sys_script_include", Id(2))!["name"]);
        var copied = Assert.Single(sim["prod"].GetRecords("sys_update_xml", $"update_set={local["sys_id"]}"));
        Assert.Equal($"sys_script_include_{Id(2)}", copied["name"]);
    }

    [Fact]
    public async Task Preview_reports_a_collision_when_a_newer_local_update_exists_and_accepting_it_lets_commit_apply_the_remote_update()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var test = sim["test"];
        test.InsertRecord("sys_script_include", new Dictionary<string, string> { ["sys_id"] = Id(5), ["name"] = "LocalVersion" });
        test.InsertRecord("sys_update_xml", new Dictionary<string, string>
        {
            ["name"] = $"sys_script_include_{Id(5)}",
            ["update_set"] = "localset",
            ["remote_update_set"] = string.Empty,
            ["sys_recorded_at"] = Late,
            ["payload"] = Payload("sys_script_include", Id(5), "LocalVersion"),
        });
        var client = sim.Client("test");
        var setId = await ImportAsync(client, "Older remote", [("sys_script_include", 5, Early), ("sys_script_include", 6, Early)]);

        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{setId}");
        var problem = Assert.Single(await ProblemsAsync(client, setId));
        Assert.Equal("Found a local update that is newer than this one", problem.GetProperty("description").GetString());
        Assert.Equal(Id(5), sim["test"].GetRecord("sys_update_xml", problem.GetProperty("remote_update").GetProperty("value").GetString()!)!["payload"].Contains(Id(5), StringComparison.Ordinal) ? Id(5) : "wrong");

        await client.PatchAsync2($"api/now/table/sys_update_preview_problem/{problem.GetProperty("sys_id").GetString()}", new { status = "ignored" });
        var commit = await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{setId}");
        Assert.Equal("Successful", commit.GetProperty("status_label").GetString());
        Assert.Equal("Record5", test.GetRecord("sys_script_include", Id(5))!["name"]);
    }

    [Fact]
    public async Task Commit_before_preview_fails_with_a_clear_message()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var setId = await ImportAsync(client, "Unpreviewed", [("sys_script_include", 1, Early)]);
        var result = await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{setId}");
        Assert.Equal("3", result.GetProperty("status").GetString());
        Assert.Contains("preview it before committing", result.GetProperty("status_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plugin_activation_creates_its_tables_after_a_delay_and_clears_the_missing_object()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("prod");
        var setId = await ImportAsync(client, "Vulnerability tweaks", [("sn_vul_vulnerability", 1, Early)]);
        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{setId}");
        Assert.Single(await ProblemsAsync(client, setId));

        var (_, started) = await client.PostAsync2("api/sn_cicd/plugin/com.snc.vulnerability/activate");
        sim.Advance(TimeSpan.FromSeconds(30));
        Assert.False(sim["prod"].TableExists("sn_vul_vulnerability"));
        var done = await sim.CompleteAsync(client, started);
        Assert.Equal("Successful", done.GetProperty("status_label").GetString());
        Assert.True(sim["prod"].TableExists("sn_vul_vulnerability"));
        Assert.True(sim["prod"].IsPluginActive("com.snc.vulnerability"));
        var (_, plugin) = await client.GetAsync2("api/now/v2/table/sys_plugins?sysparm_query=source=com.snc.vulnerability");
        Assert.Equal("active", Assert.Single(plugin.Result()).GetProperty("active").GetString());

        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{setId}");
        Assert.Empty(await ProblemsAsync(client, setId));
    }

    [Fact]
    public async Task A_batch_is_previewed_and_committed_through_its_base_including_children()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var baseId = await ImportAsync(client, "Batch base", [("sys_script_include", 1, Early)]);
        var childId = await ImportAsync(client, "Batch child", [("sys_script_include", 2, Early)], parent: baseId);

        var childPreview = await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{childId}");
        Assert.Equal("Failed", childPreview.GetProperty("status_label").GetString());
        Assert.Contains(baseId, childPreview.GetProperty("status_message").GetString(), StringComparison.Ordinal);

        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{baseId}");
        Assert.Equal("previewed", sim["test"].GetRecord("sys_remote_update_set", baseId)!["state"]);
        Assert.Equal("in_hierarchy", sim["test"].GetRecord("sys_remote_update_set", childId)!["state"]);

        var commit = await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{baseId}");
        Assert.Equal("Successful", commit.GetProperty("status_label").GetString());
        Assert.Equal("committed", sim["test"].GetRecord("sys_remote_update_set", childId)!["state"]);
        var localBase = Assert.Single(sim["test"].GetRecords("sys_update_set", "name=Batch base"));
        var localChild = Assert.Single(sim["test"].GetRecords("sys_update_set", "name=Batch child"));
        Assert.Equal(localBase["sys_id"], localChild["parent"]);
        Assert.NotNull(sim["test"].GetRecord("sys_script_include", Id(2)));
    }

    [Fact]
    public async Task CommitMultiple_commits_in_the_given_order()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var first = await ImportAsync(client, "First", [("sys_script_include", 1, Early)]);
        var second = await ImportAsync(client, "Second", [("sys_script_include", 1, Late)]);
        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{first}");
        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{second}");

        var result = await RunAsync(sim, client, $"api/sn_cicd/update_set/commitMultiple?remote_update_set_ids={second},{first}");
        Assert.Equal("Successful", result.GetProperty("status_label").GetString());
        var names = sim["test"].GetRecords("sys_update_set", "nameINFirst,Second").Select(s => s["name"]);
        Assert.Equal(["Second", "First"], names);
    }

    [Fact]
    public async Task Back_out_restores_what_a_commit_changed()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var setId = await ImportAsync(client, "To back out", [("sys_script_include", 9, Early)]);
        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{setId}");
        await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{setId}");
        Assert.NotNull(sim["test"].GetRecord("sys_script_include", Id(9)));
        var local = sim["test"].GetRecord("sys_remote_update_set", setId)!["update_set"];

        var result = await RunAsync(sim, client, $"api/sn_cicd/update_set/back_out?update_set_id={local}");
        Assert.Equal("Successful", result.GetProperty("status_label").GetString());
        Assert.Null(sim["test"].GetRecord("sys_script_include", Id(9)));
    }

    [Fact]
    public async Task A_real_exported_update_set_reinserted_through_the_table_api_previews_clean_and_commits()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var unload = XDocument.Load(CloneFlow.Core.Tests.Support.RealExports.PathOf("kalai_export_with_name.xml"));
        string? setId = null;
        foreach (var element in unload.Root!.Elements())
        {
            var fields = element.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value);
            var (response, body) = await client.PostAsync2($"api/now/table/{element.Name.LocalName}", fields);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(fields["sys_id"], body.GetProperty("result").GetProperty("sys_id").GetString());
            setId ??= fields["sys_id"];
        }

        await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{setId}");
        Assert.Empty(await ProblemsAsync(client, setId!));
        var commit = await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{setId}");
        Assert.Equal("Successful", commit.GetProperty("status_label").GetString());
        var include = sim["test"].GetRecord("sys_script_include", "b9a509a5db49a340d8ccd421cf961907")!;
        Assert.Equal("ExportWithRelatedListsCustom", include["name"]);
        Assert.Contains("Class.create()", include["script"], StringComparison.Ordinal);
        Assert.Single(sim["test"].GetRecords("sys_update_set", "name=Export Updateset With Name-2.0^state=complete"));
    }

    [Fact]
    public async Task The_cicd_api_is_absent_while_its_plugin_is_inactive()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        sim["test"].SetPluginActive("com.glide.continuousdelivery", false);
        var (response, body) = await sim.Client("test").PostAsync2("api/sn_cicd/plugin/com.snc.pa/activate");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Requested URI does not represent any resource", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Commit_multiple_without_ids_is_a_400()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var (response, _) = await sim.Client("test").PostAsync2("api/sn_cicd/update_set/commitMultiple");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("wrr_011924.xml")]
    [InlineData("jeannjang_13363b2f93affe10e502fbf08bba10ac.xml")]
    [InlineData("voidtype_batch_tool.xml")]
    public async Task Every_real_export_reinserts_previews_and_commits(string fileName)
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var unload = XDocument.Load(CloneFlow.Core.Tests.Support.RealExports.PathOf(fileName));
        var setId = unload.Root!.Element("sys_remote_update_set")!.Element("sys_id")!.Value;
        var updates = 0;
        foreach (var element in unload.Root.Elements())
        {
            var fields = element.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value);
            var (response, _) = await client.PostAsync2($"api/now/table/{element.Name.LocalName}", fields);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            updates += element.Name.LocalName == "sys_update_xml" ? 1 : 0;
        }

        Assert.Equal("Successful", (await RunAsync(sim, client, $"api/sn_cicd/update_set/preview/{setId}")).GetProperty("status_label").GetString());
        foreach (var problem in await ProblemsAsync(client, setId))
        {
            await client.PatchAsync2($"api/now/table/sys_update_preview_problem/{problem.GetProperty("sys_id").GetString()}", new { status = "ignored" });
        }

        var commit = await RunAsync(sim, client, $"api/sn_cicd/update_set/commit/{setId}");
        Assert.Equal("Successful", commit.GetProperty("status_label").GetString());
        Assert.Contains($"{updates} updates applied", commit.GetProperty("status_message").GetString(), StringComparison.Ordinal);
        Assert.Equal("committed", sim["test"].GetRecord("sys_remote_update_set", setId)!["state"]);
    }
}

