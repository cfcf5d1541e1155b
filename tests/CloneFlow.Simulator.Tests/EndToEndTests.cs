using System.Net;
using System.Text.Json;

namespace CloneFlow.Simulator.Tests;

public sealed class EndToEndTests
{
    [Fact]
    public async Task In_flight_work_exported_before_a_clone_can_be_reinserted_previewed_and_committed_after_the_missing_plugin_is_activated()
    {
        await using var sim = await Sim.StartAsync();
        var test = sim["test"];
        var agileUpdate = test.GetRecords("sys_update_xml", "nameSTARTSWITHscrum_pp_config^update_setISNOTEMPTY")[0];
        var set = test.GetRecord("sys_update_set", agileUpdate["update_set"])!;
        var exported = test.GetRecords("sys_update_xml", $"update_set={set["sys_id"]}");

        var prod = sim.Client("prod", "clone_admin", "clone_admin");
        var (requested, _) = await prod.PostAsync2("api/now/table/sn_instance_clone_request", new { target_instance = "test" });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        sim.Advance(TimeSpan.FromHours(3.5));
        Assert.Null(test.GetRecord("sys_update_set", set["sys_id"]));

        var client = sim.Client("test");
        var (remote, remoteBody) = await client.PostAsync2("api/now/table/sys_remote_update_set", new { name = set["name"], state = "loaded", application = "global", remote_sys_id = set["sys_id"] });
        Assert.Equal(HttpStatusCode.Created, remote.StatusCode);
        var remoteId = remoteBody.GetProperty("result").GetProperty("sys_id").GetString()!;
        foreach (var update in exported)
        {
            var fields = update.Where(f => f.Key is not ("update_set" or "sys_id")).ToDictionary(f => f.Key, f => f.Value);
            fields["remote_update_set"] = remoteId;
            var (inserted, _) = await client.PostAsync2("api/now/table/sys_update_xml", fields);
            Assert.Equal(HttpStatusCode.Created, inserted.StatusCode);
        }

        var (_, started) = await client.PostAsync2($"api/sn_cicd/update_set/preview/{remoteId}");
        await sim.CompleteAsync(client, started);
        var problems = test.GetRecords("sys_update_preview_problem", $"remote_update_set={remoteId}");
        Assert.Contains(problems, p => p["missing_item"] == "scrum_pp_config");

        var (_, activation) = await client.PostAsync2("api/sn_cicd/plugin/com.snc.sdlc.agile.2.0/activate");
        Assert.Equal("Successful", (await sim.CompleteAsync(client, activation)).GetProperty("status_label").GetString());
        (_, started) = await client.PostAsync2($"api/sn_cicd/update_set/preview/{remoteId}");
        await sim.CompleteAsync(client, started);
        Assert.Empty(test.GetRecords("sys_update_preview_problem", $"remote_update_set={remoteId}"));

        (_, started) = await client.PostAsync2($"api/sn_cicd/update_set/commit/{remoteId}");
        Assert.Equal("Successful", (await sim.CompleteAsync(client, started)).GetProperty("status_label").GetString());
        var local = Assert.Single(test.GetRecords("sys_update_set", $"name={set["name"]}"));
        Assert.Equal("complete", local["state"]);
        Assert.Equal(exported.Count, test.GetRecords("sys_update_xml", $"update_set={local["sys_id"]}").Count);

        // The runbook then sets the re-created set back to in progress so developers carry on.
        var (patched, body) = await client.PatchAsync2($"api/now/table/sys_update_set/{local["sys_id"]}", new { state = "in progress" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("in progress", body.GetProperty("result").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Object, body.GetProperty("result").GetProperty("application").ValueKind);
    }
}
