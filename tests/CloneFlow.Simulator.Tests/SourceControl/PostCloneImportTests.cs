using System.Net;
using System.Text.Json;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Simulator.Tests.SourceControl;

/// <summary>
/// The seeded app linked to source control on test, production cloned over test, and what the Table API shows
/// afterwards: the platform's post-clone import brings the app's files back from Git (never its table rows), only when
/// <c>glide.source_control.post_clone_import_enabled</c> is <c>true</c> on the target before and after the clone.
/// </summary>
public sealed class PostCloneImportTests
{
    private const string Property = "glide.source_control.post_clone_import_enabled";

    // Clone: 1 min scheduling + 3 h of phases; then the 15 min restart window; the import runs 5 min after that.
    private static readonly TimeSpan ToCompletion = TimeSpan.FromMinutes(1) + TimeSpan.FromHours(3);
    private static readonly TimeSpan PastRestart = TimeSpan.FromMinutes(16);
    private static readonly TimeSpan PastImport = TimeSpan.FromMinutes(5);

    private static Task<Sim> StartLinkedAsync() =>
        Sim.StartAsync(o => o.Estate = new EstateOptions { LargePayloads = 0, UpdatesPerSet = 3, LinkScopedAppToSourceControl = true });

    private static async Task SetPropertyAsync(Sim sim, string instance, string value)
    {
        var (response, body) = await sim.Client(instance).PostAsync2("api/now/table/sys_properties", new { name = Property, value, type = "boolean" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
    }

    private static async Task CloneProdOverTestAsync(Sim sim)
    {
        var (response, body) = await sim.Client("prod", "clone_admin", "clone_admin")
            .PostAsync2("api/now/table/sn_instance_clone_request", new { source_instance = "prod", target_instance = "test" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        sim.Advance(ToCompletion);
        Assert.Equal("completed", sim["prod"].GetRecords("sn_instance_clone_request").Single()["state"]);
        sim.Advance(PastRestart);
    }

    private static async Task<JsonElement[]> RowsAsync(HttpClient client, string table, string query)
    {
        var (response, body) = await client.GetAsync2($"api/now/table/{table}?sysparm_query={Uri.EscapeDataString(query)}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.Result();
    }

    [Fact]
    public async Task A_linked_app_shows_its_sys_repo_config_before_the_clone_and_its_files_but_no_rows_are_in_git()
    {
        await using var sim = await StartLinkedAsync();
        var client = sim.Client("test");
        var app = (await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}")).Single();
        var appId = app.Str("sys_id");

        var config = (await RowsAsync(client, "sys_repo_config", $"sys_app={appId}")).Single();
        Assert.Equal(SeededApp.RepositoryUrl("test"), config.Str("url"));
        Assert.Equal(SeededApp.Branch, config.Str("branch"));
        Assert.False(config.TryGetProperty("password", out _));
        // Production has no link (source control does not link apps there) and no app.
        Assert.Empty(await RowsAsync(sim.Client("prod"), "sys_repo_config", "sys_idISNOTEMPTY"));

        var files = await RepositoryFilesAsync(sim, SeededApp.RepositoryUrl("test"));
        var metadata = await RowsAsync(client, "sys_metadata", $"sys_scope={appId}");
        Assert.Equal(metadata.Length + 1, files.Count);
        Assert.Contains($"{appId}/sys_app_{appId}.xml", files);
        Assert.All(metadata, m => Assert.Contains(files, f => f.StartsWith($"{appId}/update/", StringComparison.Ordinal) && f.EndsWith($"{m.Str("sys_update_name")}.xml", StringComparison.Ordinal)));
        var rows = await RowsAsync(client, SeededApp.Table, "sys_idISNOTEMPTY");
        Assert.Equal(SeededApp.Rows, rows.Length);
        Assert.DoesNotContain(files, f => rows.Any(r => f.Contains(r.Str("sys_id"), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task With_the_property_true_on_source_and_target_the_app_its_scope_table_dictionary_and_files_come_back_after_the_clone_but_not_its_rows()
    {
        await using var sim = await StartLinkedAsync();
        await SetPropertyAsync(sim, "prod", "true");
        await SetPropertyAsync(sim, "test", "true");
        var client = sim.Client("test");
        var appId = (await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}")).Single().Str("sys_id");
        var dictionaryBefore = await RowsAsync(client, "sys_dictionary", $"name={SeededApp.Table}");
        var filesBefore = (await RowsAsync(client, "sys_metadata", $"sys_scope={appId}")).Select(f => f.Str("sys_id")).Order().ToList();

        await CloneProdOverTestAsync(sim);

        // Up again, but the import has not run yet: the clone removed the app; its sys_repo_config stays, its app field emptied.
        Assert.Empty(await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync2($"api/now/table/{SeededApp.Table}")).Response.StatusCode);
        var config = (await RowsAsync(client, "sys_repo_config", $"url={SeededApp.RepositoryUrl("test")}")).Single();
        Assert.Equal(string.Empty, config.GetProperty("sys_app").GetString());

        sim.Advance(PastImport);

        var app = (await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}")).Single();
        Assert.Equal(appId, app.Str("sys_id"));
        Assert.Equal(SeededApp.Name, app.Str("name"));
        Assert.Equal(SeededApp.Version, app.Str("version"));
        Assert.Single(await RowsAsync(client, "sys_scope", $"scope={SeededApp.Scope}"));
        Assert.Single(await RowsAsync(client, "sys_db_object", $"name={SeededApp.Table}"));
        var dictionary = await RowsAsync(client, "sys_dictionary", $"name={SeededApp.Table}");
        Assert.Equal(SeededApp.Columns.Count, dictionary.Length);
        Assert.Equal(dictionaryBefore.Select(d => d.Str("sys_id")).Order(), dictionary.Select(d => d.Str("sys_id")).Order());
        Assert.Equal(filesBefore, (await RowsAsync(client, "sys_metadata", $"sys_scope={appId}")).Select(f => f.Str("sys_id")).Order().ToList());
        Assert.Single(await RowsAsync(client, "sys_script_include", "name=FacilitiesRequestUtils"));
        Assert.Equal(appId, (await RowsAsync(client, "sys_repo_config", $"url={SeededApp.RepositoryUrl("test")}")).Single().Str("sys_app"));

        // The table is back, empty: source control carries application files, not table data.
        var (rowsResponse, rows) = await client.GetAsync2($"api/now/table/{SeededApp.Table}");
        Assert.Equal(HttpStatusCode.OK, rowsResponse.StatusCode);
        Assert.Empty(rows.Result());
    }

    [Fact]
    public async Task With_the_property_false_nothing_comes_back()
    {
        await using var sim = await StartLinkedAsync();
        await SetPropertyAsync(sim, "prod", "false");
        await SetPropertyAsync(sim, "test", "false");
        await CloneProdOverTestAsync(sim);
        sim.Advance(TimeSpan.FromDays(1));

        var client = sim.Client("test");
        Assert.Empty(await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}"));
        Assert.Empty(await RowsAsync(client, "sys_db_object", $"name={SeededApp.Table}"));
        Assert.Empty(await RowsAsync(client, "sys_dictionary", $"name={SeededApp.Table}"));
    }

    [Fact]
    public async Task With_the_property_absent_nothing_comes_back()
    {
        await using var sim = await StartLinkedAsync();
        await CloneProdOverTestAsync(sim);
        sim.Advance(TimeSpan.FromDays(1));

        Assert.Empty(await RowsAsync(sim.Client("test"), "sys_app", $"scope={SeededApp.Scope}"));
    }

    [Fact]
    public async Task The_property_set_only_on_the_target_is_overwritten_by_the_clone_and_nothing_comes_back()
    {
        await using var sim = await StartLinkedAsync();
        await SetPropertyAsync(sim, "test", "true");
        await CloneProdOverTestAsync(sim);
        sim.Advance(TimeSpan.FromDays(1));

        var client = sim.Client("test");
        Assert.Empty(await RowsAsync(client, "sys_properties", $"name={Property}"));
        Assert.Empty(await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}"));
    }

    [Fact]
    public async Task The_property_set_only_on_the_source_is_not_enough_either()
    {
        await using var sim = await StartLinkedAsync();
        await SetPropertyAsync(sim, "prod", "true");
        await CloneProdOverTestAsync(sim);
        sim.Advance(TimeSpan.FromDays(1));

        var client = sim.Client("test");
        Assert.Equal("true", (await RowsAsync(client, "sys_properties", $"name={Property}")).Single().Str("value"));
        Assert.Empty(await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}"));
    }

    [Fact]
    public async Task A_clone_of_an_estate_without_linked_apps_is_unaffected_by_the_property()
    {
        await using var sim = await Sim.StartAsync();
        await SetPropertyAsync(sim, "prod", "true");
        await SetPropertyAsync(sim, "test", "true");
        var client = sim.Client("test");
        Assert.Empty(await RowsAsync(client, "sys_repo_config", "sys_idISNOTEMPTY"));
        Assert.Empty(await RepositoriesAsync(sim));

        await CloneProdOverTestAsync(sim);
        sim.Advance(TimeSpan.FromDays(1));

        Assert.Empty(await RowsAsync(client, "sys_app", $"scope={SeededApp.Scope}"));
        Assert.Equal(sim["prod"].Count("sys_app"), (await RowsAsync(client, "sys_app", "sys_idISNOTEMPTY")).Length);
        Assert.Equal(sim["prod"].Count("sys_db_object"), sim["test"].Count("sys_db_object"));
        Assert.Empty(await RowsAsync(client, "sys_repo_config", "sys_idISNOTEMPTY"));
    }

    [Fact]
    public async Task Production_refuses_a_link_and_a_link_is_one_per_app()
    {
        await using var sim = await StartLinkedAsync();
        using var control = new HttpClient { BaseAddress = sim.Host.Instances["prod"] };
        var (refused, body) = await control.PostAsync2("_simulator/source-control/link", new { scope = "global", url = "https://git.example.com/acme/global.git" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("production", body.GetProperty("error").GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var test = new HttpClient { BaseAddress = sim.Host.Instances["test"] };
        var (again, _) = await test.PostAsync2("_simulator/source-control/link", new { scope = SeededApp.Scope, url = "https://git.example.com/other.git" });
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
    }

    private static async Task<JsonElement[]> RepositoriesAsync(Sim sim)
    {
        using var control = new HttpClient { BaseAddress = sim.Host.Instances["test"] };
        var (_, body) = await control.GetAsync2("_simulator/source-control");
        return [.. body.GetProperty("repositories").EnumerateArray()];
    }

    private static async Task<List<string>> RepositoryFilesAsync(Sim sim, string url)
    {
        var repository = (await RepositoriesAsync(sim)).Single(r => r.GetProperty("url").GetString() == url);
        var branch = repository.GetProperty("branches").EnumerateArray().Single();
        return [.. branch.GetProperty("files").EnumerateArray().Select(f => f.GetString()!)];
    }
}
