using System.Net;
using System.Text.Json;
using CloneFlow.Simulator.Faults;

namespace CloneFlow.Simulator.Tests;

public sealed class CloneTests
{
    private static readonly TimeSpan Phase = TimeSpan.FromHours(3) / 11;

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> RequestCloneAsync(Sim sim, string source, string target, object? extra = null)
    {
        var client = sim.Client(source, "clone_admin", "clone_admin");
        var fields = new Dictionary<string, object> { ["target_instance"] = target, ["source_instance"] = source };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                fields[property.Name] = property.Value.ToString();
            }
        }

        return await client.PostAsync2("api/now/table/sn_instance_clone_request", fields);
    }

    private static async Task<string> StartCloneAsync(Sim sim, string source = "prod", string target = "test", object? extra = null)
    {
        var (response, body) = await RequestCloneAsync(sim, source, target, extra);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("result").GetProperty("sys_id").GetString()!;
    }

    private static IReadOnlyDictionary<string, string> Clone(Sim sim, string id, string source = "prod") => sim[source].GetRecord("sn_instance_clone_request", id)!;

    [Fact]
    public async Task A_clone_runs_through_its_phases_and_makes_the_target_a_copy_of_the_source_except_preserved_and_excluded_tables()
    {
        await using var sim = await Sim.StartAsync();
        var test = sim["test"];
        var inProgressBefore = test.GetRecords("sys_update_set", "state=in progress^is_default=false");
        Assert.True(inProgressBefore.Count >= 2);
        Assert.True(test.TableExists("rm_story"));
        Assert.True(test.IsPluginActive("com.snc.sdlc.agile.2.0"));
        Assert.Equal("true", test.GetProperty("glide.email.smtp.active"));
        Assert.NotEmpty(sim["prod"].GetRecords("sys_email"));

        var id = await StartCloneAsync(sim);
        var clone = Clone(sim, id);
        Assert.Equal("requested", clone["state"]);
        Assert.StartsWith("CLN", clone["number"], StringComparison.Ordinal);

        sim.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("active", Clone(sim, id)["state"]);
        Assert.Equal("build configuration", Clone(sim, id)["phase"]);
        sim.Advance(Phase * 5.5);
        Assert.Equal("restore", Clone(sim, id)["phase"]);
        Assert.Equal(inProgressBefore.Count, test.GetRecords("sys_update_set", "state=in progress^is_default=false").Count);

        sim.Advance(TimeSpan.FromHours(3));
        clone = Clone(sim, id);
        Assert.Equal("completed", clone["state"]);
        Assert.Equal("100", clone["percent_complete"]);
        Assert.NotEqual(string.Empty, clone["completed"]);

        // The target is production's copy: its in-flight work, target-only plugin and tables are gone.
        Assert.Empty(test.GetRecords("sys_update_set", "state=in progress^is_default=false"));
        Assert.Equal(sim["prod"].Count("sys_update_set"), test.Count("sys_update_set"));
        Assert.False(test.IsPluginActive("com.snc.sdlc.agile.2.0"));
        Assert.False(test.TableExists("rm_story"));
        Assert.Empty(test.GetRecords("sys_app", "scope=x_acme_facreq"));
        // Preserved: MID servers stay the target's own; excluded: e-mail is emptied; identity and cleanup properties.
        Assert.Equal(["mid-test-01"], test.GetRecords("ecc_agent").Select(r => r["name"]));
        Assert.Empty(test.GetRecords("sys_email"));
        Assert.Equal("false", test.GetProperty("glide.email.smtp.active"));
        Assert.Equal("false", test.GetProperty("glide.email.read.active"));
        Assert.Equal("test", test.GetProperty("instance_name"));
        Assert.Equal("true", sim["prod"].GetProperty("glide.email.smtp.active"));
    }

    [Fact]
    public async Task The_target_answers_503_with_retry_after_during_the_restart_window()
    {
        await using var sim = await Sim.StartAsync();
        await StartCloneAsync(sim);
        sim.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromHours(3));
        var client = sim.Client("test");
        var (response, body) = await client.GetAsync2("api/now/v2/table/sys_update_set");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("failure", body.GetProperty("status").GetString());
        Assert.InRange(int.Parse(response.Header("Retry-After"), System.Globalization.CultureInfo.InvariantCulture), 1, 900);

        sim.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync2("api/now/v2/table/sys_update_set")).Response.StatusCode);
    }

    [Fact]
    public async Task A_clone_can_be_canceled_before_node_repoint_and_leaves_the_target_untouched()
    {
        await using var sim = await Sim.StartAsync();
        var id = await StartCloneAsync(sim);
        sim.Advance(TimeSpan.FromMinutes(1) + Phase * 3);
        var client = sim.Client("prod", "clone_admin", "clone_admin");
        var (response, body) = await client.PatchAsync2($"api/now/table/sn_instance_clone_request/{id}", new { state = "canceled" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("canceled", body.GetProperty("result").GetProperty("state").GetString());

        sim.Advance(TimeSpan.FromHours(4));
        Assert.Equal("canceled", Clone(sim, id)["state"]);
        Assert.True(sim["test"].TableExists("rm_story"));
    }

    [Fact]
    public async Task Cancel_is_refused_once_node_repoint_has_started()
    {
        await using var sim = await Sim.StartAsync();
        var id = await StartCloneAsync(sim);
        sim.Advance(TimeSpan.FromMinutes(1) + Phase * 8.5);
        Assert.Equal("node repoint", Clone(sim, id)["phase"]);
        Assert.False(sim["test"].TableExists("rm_story"));

        var client = sim.Client("prod", "clone_admin", "clone_admin");
        var (response, body) = await client.PatchAsync2($"api/now/table/sn_instance_clone_request/{id}", new { cancel_requested = "true" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("node repoint", body.GetProperty("error").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("active", Clone(sim, id)["state"]);
    }

    [Fact]
    public async Task Only_one_active_clone_per_target()
    {
        await using var sim = await Sim.StartAsync();
        await StartCloneAsync(sim);
        var (again, body) = await RequestCloneAsync(sim, "prod", "test");
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.Contains("already has an active clone", body.GetProperty("error").GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (fromDev, _) = await RequestCloneAsync(sim, "dev", "test");
        Assert.Equal(HttpStatusCode.Forbidden, fromDev.StatusCode);
        var (otherTarget, _) = await RequestCloneAsync(sim, "prod", "dev");
        Assert.Equal(HttpStatusCode.Created, otherTarget.StatusCode);
    }

    [Fact]
    public async Task Clones_to_the_same_target_must_be_five_days_apart_unless_the_rule_is_disabled()
    {
        await using var sim = await Sim.StartAsync();
        await StartCloneAsync(sim);
        sim.Advance(TimeSpan.FromHours(4));

        var (tooSoon, body) = await RequestCloneAsync(sim, "prod", "test");
        Assert.Equal(HttpStatusCode.Forbidden, tooSoon.StatusCode);
        Assert.Contains("5 days apart", body.GetProperty("error").GetProperty("detail").GetString(), StringComparison.Ordinal);

        sim.Host.EnforceCloneInterval = false;
        var (allowed, _) = await RequestCloneAsync(sim, "prod", "test");
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task Five_days_later_the_same_target_can_be_cloned_again()
    {
        await using var sim = await Sim.StartAsync();
        await StartCloneAsync(sim);
        sim.Advance(TimeSpan.FromHours(4));
        sim.Advance(TimeSpan.FromDays(5));
        var (response, _) = await RequestCloneAsync(sim, "prod", "test");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Production_and_targets_that_do_not_allow_clones_are_refused()
    {
        await using var sim = await Sim.StartAsync();
        var (toProd, body) = await RequestCloneAsync(sim, "test", "prod");
        Assert.Equal(HttpStatusCode.Forbidden, toProd.StatusCode);
        Assert.Contains("not allowed as a clone target", body.GetProperty("error").GetProperty("detail").GetString(), StringComparison.Ordinal);

        sim["dev"].SetProperty("glide.db.clone.allow_clone_target", "false");
        var (toDev, _) = await RequestCloneAsync(sim, "prod", "dev");
        Assert.Equal(HttpStatusCode.Forbidden, toDev.StatusCode);

        var (unknown, _) = await RequestCloneAsync(sim, "prod", "nowhere");
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        Assert.Empty(sim["test"].GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task A_hold_fault_stops_the_clone_until_it_is_resumed_through_the_control_surface()
    {
        await using var sim = await Sim.StartAsync();
        sim["prod"].CloneFaults = new CloneFaults { HoldAtPhase = "restore" };
        var id = await StartCloneAsync(sim);
        sim.Advance(TimeSpan.FromHours(5));
        Assert.Equal("hold", Clone(sim, id)["state"]);
        Assert.True(sim["test"].TableExists("rm_story"));

        using var control = new HttpClient { BaseAddress = sim.Host.Instances["prod"] };
        var number = Clone(sim, id)["number"];
        var resumed = await control.PostAsync(new Uri($"_simulator/clones/{number}/resume", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        sim.Advance(TimeSpan.FromHours(3));
        Assert.Equal("completed", Clone(sim, id)["state"]);
        Assert.False(sim["test"].TableExists("rm_story"));
    }

    [Fact]
    public async Task An_error_fault_fails_the_clone_and_leaves_the_target_as_it_was()
    {
        await using var sim = await Sim.StartAsync();
        sim["prod"].CloneFaults = new CloneFaults { ErrorAtPhase = "provision" };
        var id = await StartCloneAsync(sim);
        sim.Advance(TimeSpan.FromHours(4));
        var clone = Clone(sim, id);
        Assert.Equal("error", clone["state"]);
        Assert.Contains("provision", clone["state_message"], StringComparison.Ordinal);
        Assert.True(sim["test"].TableExists("rm_story"));
        var (again, _) = await RequestCloneAsync(sim, "prod", "test");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task A_profile_decides_what_is_preserved()
    {
        await using var sim = await Sim.StartAsync();
        var profile = sim["prod"].GetRecords("clone_profile").Single()["sys_id"];
        await StartCloneAsync(sim, extra: new { profile });
        sim.Advance(TimeSpan.FromHours(4));
        Assert.Equal("/test/hr/people.csv", sim["test"].GetRecords("sys_data_source").Single()["file_path"]);
    }

    [Fact]
    public async Task Preserving_in_progress_update_sets_keeps_global_ones_but_never_scoped_ones()
    {
        await using var sim = await Sim.StartAsync();
        var test = sim["test"];
        var app = test.GetRecords("sys_app").Single()["sys_id"];
        var global = test.GetRecords("sys_update_set", "state=in progress^is_default=false^application=global").Select(s => s["sys_id"]).ToList();
        Assert.NotEmpty(test.GetRecords("sys_update_set", $"application={app}"));

        await StartCloneAsync(sim, extra: new { preserve_in_progress_update_sets = "true" });
        sim.Advance(TimeSpan.FromHours(4));

        Assert.All(global, id => Assert.NotNull(test.GetRecord("sys_update_set", id)));
        Assert.NotEmpty(test.GetRecords("sys_update_xml", $"update_set={global[0]}"));
        Assert.Empty(test.GetRecords("sys_update_set", $"application={app}"));
    }

    [Fact]
    public async Task A_scheduled_start_in_the_future_keeps_the_clone_scheduled_until_then()
    {
        await using var sim = await Sim.StartAsync();
        var start = sim.Host.Clock.UtcNow.AddHours(2).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var id = await StartCloneAsync(sim, extra: new { scheduled_start = start });
        sim.Advance(TimeSpan.FromHours(1));
        Assert.Equal("scheduled", Clone(sim, id)["state"]);
        sim.Advance(TimeSpan.FromHours(1.1));
        Assert.Equal("active", Clone(sim, id)["state"]);
        Assert.Equal(start, Clone(sim, id)["started"]);
    }

    [Fact]
    public async Task A_request_can_carry_a_correlation_id_to_be_found_before_it_is_created_again()
    {
        await using var sim = await Sim.StartAsync();
        await StartCloneAsync(sim, extra: new { correlation_id = "clone-test-20260105080000" });
        var client = sim.Client("prod", "clone_admin", "clone_admin");
        var (_, body) = await client.GetAsync2("api/now/v2/table/sn_instance_clone_request?sysparm_query=correlation_id=clone-test-20260105080000&sysparm_fields=number,state");
        var found = Assert.Single(body.Result());
        Assert.Equal("requested", found.GetProperty("state").GetString());
    }
}

