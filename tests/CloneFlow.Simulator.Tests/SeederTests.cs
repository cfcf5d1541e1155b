using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Simulator.Tests;

public sealed class SeederTests
{
    private static readonly string[] FingerprintTables = ["sys_update_set", "sys_update_xml", "sys_remote_update_set", "sys_app", "sys_plugins", "sys_db_object"];

    private static string Fingerprint(SimulatedInstance instance) =>
        string.Join("\n", FingerprintTables
            .SelectMany(table => instance.GetRecords(table).Select(r => table + ":" + string.Join("|", r.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value)))));

    [Fact]
    public async Task The_same_seed_gives_the_same_estate_and_another_seed_a_different_one()
    {
        await using var first = await Sim.StartAsync(seed: 42);
        await using var second = await Sim.StartAsync(seed: 42);
        await using var other = await Sim.StartAsync(seed: 43);
        foreach (var name in new[] { "prod", "test", "dev" })
        {
            Assert.Equal(Fingerprint(first[name]), Fingerprint(second[name]));
        }

        Assert.NotEqual(Fingerprint(first["test"]), Fingerprint(other["test"]));
    }

    [Fact]
    public async Task Test_holds_in_progress_sets_with_updates_and_the_other_kinds_of_in_flight_work()
    {
        await using var sim = await Sim.StartAsync();
        var test = sim["test"];
        var inProgress = test.GetRecords("sys_update_set", "state=in progress^is_default=false^application=global");
        Assert.True(inProgress.Count >= 2);
        Assert.All(inProgress.Where(s => !s["name"].Contains("placeholder", StringComparison.Ordinal) && !s["name"].Contains("batch", StringComparison.Ordinal)),
            set => Assert.NotEmpty(test.GetRecords("sys_update_xml", $"update_set={set["sys_id"]}")));
        Assert.NotEmpty(test.GetRecords("sys_update_set", "state=complete^nameLIKEready for release"));
        var parent = Assert.Single(test.GetRecords("sys_update_set", "nameSTARTSWITHRelease 2026.02 batch"));
        Assert.Equal(2, test.GetRecords("sys_update_set", $"parent={parent["sys_id"]}").Count);
        Assert.Contains(test.GetRecords("sys_update_set", "state=in progress^is_default=false"),
            set => test.GetRecords("sys_update_xml", $"update_set={set["sys_id"]}").Count == 0);
        foreach (var state in new[] { "loaded", "previewed" })
        {
            var remote = Assert.Single(test.GetRecords("sys_remote_update_set", $"state={state}"));
            Assert.NotEmpty(test.GetRecords("sys_update_xml", $"remote_update_set={remote["sys_id"]}"));
        }

        var app = Assert.Single(test.GetRecords("sys_app"));
        Assert.NotEmpty(test.GetRecords("sys_update_set", $"application={app["sys_id"]}"));
        Assert.True(test.IsPluginActive("com.snc.sdlc.agile.2.0"));
        Assert.False(sim["prod"].IsPluginActive("com.snc.sdlc.agile.2.0"));
        Assert.Empty(sim["prod"].GetRecords("sys_update_set", "state=in progress^is_default=false"));
        Assert.NotEmpty(sim["prod"].GetRecords("sys_remote_update_set", "state=committed"));
    }

    [Fact]
    public async Task Seeded_payloads_compress_about_as_much_as_real_exports()
    {
        // Real exports (the fixtures) compress 3.1x to 5.3x at gzip's fastest level; a script of one
        // repeated method compressed about 20x, which would flatter exports stored compressed.
        await using var sim = await Sim.StartAsync();
        var payloads = Encoding.UTF8.GetBytes(string.Concat(sim["test"].GetRecords("sys_update_xml").Select(r => r["payload"])));
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(payloads);
        }

        var ratio = (double)payloads.Length / compressed.Length;
        Assert.True(payloads.Length > 100_000, $"{payloads.Length} bytes of payloads");
        Assert.InRange(ratio, 2.5, 6.0);
    }

    [Fact]
    public void A_seeded_script_is_a_class_of_varied_methods_of_at_least_the_size_asked_for()
    {
        var script = ScriptText.Write("AcmeApprovalRouting042", 3300, new Random(7));
        var again = ScriptText.Write("AcmeApprovalRouting042", 3300, new Random(7));

        Assert.Equal(again, script);
        Assert.InRange(script.Length, 3300, 4000);
        Assert.StartsWith("var AcmeApprovalRouting042 = Class.create();\nAcmeApprovalRouting042.prototype = {", script, StringComparison.Ordinal);
        Assert.EndsWith("    type: 'AcmeApprovalRouting042'\n};", script, StringComparison.Ordinal);
        var methods = script.Split('\n').Where(l => l.EndsWith(": function(current) {", StringComparison.Ordinal)).ToList();
        Assert.True(methods.Count >= 5, $"{methods.Count} methods");
        Assert.True(methods.Distinct(StringComparer.Ordinal).Count() >= methods.Count - 1, "method names repeat");
    }

    [Fact]
    public async Task The_seeded_test_instance_answers_over_http_with_in_progress_sets()
    {
        await using var sim = await Sim.StartAsync();
        var (response, body) = await sim.Client("test").GetAsync2("api/now/v2/table/sys_update_set?sysparm_query=state=in progress^is_default=false&sysparm_fields=sys_id,name");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.Result().Length >= 2);
    }

    [Fact]
    public async Task Large_payloads_are_multi_megabyte()
    {
        await using var sim = await Sim.StartAsync(o => o.Estate = new EstateOptions { LargePayloads = 2, LargePayloadBytes = 3 * 1024 * 1024 });
        var large = sim["test"].GetRecords("sys_update_xml").Where(u => u["payload"].Length > 3 * 1024 * 1024).ToList();
        Assert.Equal(2, large.Count);
        Assert.All(large, u => Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><record_update table=\"sys_script_include\">", u["payload"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Benchmark_scale_estates_stay_fast_to_page_through()
    {
        await using var sim = await Sim.StartAsync(o =>
        {
            o.Instances.Add(new SimulatorInstanceOptions("test"));
            o.Estate = new EstateOptions { InProgressSets = 200, UpdatesPerSet = 500, PayloadBytes = 400, LargePayloads = 0 };
        });
        Assert.True(sim["test"].Count("sys_update_xml") >= 100_000);
        var client = sim.Client("test");
        var setId = sim["test"].GetRecords("sys_update_set", "state=in progress^is_default=false")[150]["sys_id"];
        var watch = Stopwatch.StartNew();
        var (response, body) = await client.GetAsync2($"api/now/v2/table/sys_update_xml?sysparm_query=update_set={setId}&sysparm_limit=100&sysparm_offset=200&sysparm_fields=sys_id,name");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100, body.Result().Length);
        Assert.Equal("500", response.Header("X-Total-Count"));
        Assert.True(watch.ElapsedMilliseconds < 2000, $"a filtered page took {watch.ElapsedMilliseconds} ms");
    }
}
