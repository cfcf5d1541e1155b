using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CloneFlow.Simulator.Tests;

public sealed class AuthTests
{
    private static async Task<(HttpResponseMessage Response, JsonElement Body)> TokenAsync(Sim sim, string instance, Dictionary<string, string> form)
    {
        using var client = new HttpClient { BaseAddress = sim.Host.Instances[instance] };
        using var content = new FormUrlEncodedContent(form);
        var response = await client.PostAsync(new Uri("oauth_token.do", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static Dictionary<string, string> PasswordGrant(string password = "admin") => new()
    {
        ["grant_type"] = "password",
        ["client_id"] = "cloneflow",
        ["client_secret"] = "cloneflow-secret",
        ["username"] = "admin",
        ["password"] = password,
    };

    private static HttpClient Bearer(Sim sim, string instance, string token)
    {
        var client = sim.Client(instance, user: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task Basic_auth_with_the_default_admin_reads_tables()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var (response, _) = await sim.Client("test").GetAsync2("api/now/v2/table/sys_update_set");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("admin", "wrong")]
    [InlineData("nobody", "admin")]
    public async Task Missing_or_wrong_credentials_get_401_with_ServiceNow_shape(string? user, string? password)
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var (response, body) = await sim.Client("test", user, password).GetAsync2("api/now/v2/table/sys_update_set");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("User Not Authenticated", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("Required to provide Auth information", body.GetProperty("error").GetProperty("detail").GetString());
        Assert.Equal("failure", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_user_without_admin_gets_403_on_update_set_tables_and_cicd()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        sim["test"].AddUser("viewer", "pw", "itil");
        var client = sim.Client("test", "viewer", "pw");
        var (table, body) = await client.GetAsync2("api/now/v2/table/sys_update_set");
        Assert.Equal(HttpStatusCode.Forbidden, table.StatusCode);
        Assert.Equal("User Not Authorized", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("failure", body.GetProperty("status").GetString());

        var (cicd, _) = await client.PostAsync2("api/sn_cicd/update_set/preview/abc");
        Assert.Equal(HttpStatusCode.Forbidden, cicd.StatusCode);
    }

    [Fact]
    public async Task Cicd_role_is_enough_for_cicd_and_clone_admin_for_clone_requests()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        sim["test"].AddUser("ci", "pw", "sn_cicd.sys_ci_automation");
        sim["prod"].AddUser("cloner", "pw", "clone_admin");
        var (cicd, _) = await sim.Client("test", "ci", "pw").PostAsync2("api/sn_cicd/plugin/com.snc.vulnerability/activate");
        Assert.Equal(HttpStatusCode.OK, cicd.StatusCode);

        var cloner = sim.Client("prod", "cloner", "pw");
        var (clones, _) = await cloner.GetAsync2("api/now/v2/table/sn_instance_clone_request");
        Assert.Equal(HttpStatusCode.OK, clones.StatusCode);
        var (updateSets, _) = await cloner.GetAsync2("api/now/v2/table/sys_update_set");
        Assert.Equal(HttpStatusCode.Forbidden, updateSets.StatusCode);
    }

    [Fact]
    public async Task Password_grant_issues_a_bearer_token_that_expires_on_the_simulator_clock_and_refreshes()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var (response, token) = await TokenAsync(sim, "test", PasswordGrant());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1799, token.GetProperty("expires_in").GetInt32());
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());

        var bearer = Bearer(sim, "test", token.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync2("api/now/v2/table/sys_update_set")).Response.StatusCode);

        sim.Advance(TimeSpan.FromSeconds(1800));
        var (expired, body) = await bearer.GetAsync2("api/now/v2/table/sys_update_set");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("User Not Authenticated", body.GetProperty("error").GetProperty("message").GetString());

        var (refreshed, renewed) = await TokenAsync(sim, "test", new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = "cloneflow",
            ["client_secret"] = "cloneflow-secret",
            ["refresh_token"] = token.GetProperty("refresh_token").GetString()!,
        });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var again = Bearer(sim, "test", renewed.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync2("api/now/v2/table/sys_update_set")).Response.StatusCode);
    }

    [Fact]
    public async Task Client_credentials_work_when_enabled_and_fail_with_the_oauth_error_shape_when_disabled()
    {
        await using var sim = await Sim.StartAsync(o =>
        {
            o.Instances.Add(new SimulatorInstanceOptions("test"));
            o.Instances.Add(new SimulatorInstanceOptions("hardened") { ClientCredentialsEnabled = false, PasswordGrantEnabled = false });
        }, seed: null);
        var grant = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "cloneflow", ["client_secret"] = "cloneflow-secret" };

        var (ok, token) = await TokenAsync(sim, "test", grant);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var bearer = Bearer(sim, "test", token.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync2("api/now/v2/table/sys_update_set")).Response.StatusCode);

        foreach (var refused in new[] { grant, PasswordGrant() })
        {
            var (denied, error) = await TokenAsync(sim, "hardened", refused);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("access_denied", error.GetProperty("error_description").GetString());
            Assert.Equal("server_error", error.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task A_wrong_client_secret_or_password_is_denied()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var badSecret = PasswordGrant();
        badSecret["client_secret"] = "nope";
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(sim, "test", badSecret)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(sim, "test", PasswordGrant("wrong"))).Response.StatusCode);
    }
}
