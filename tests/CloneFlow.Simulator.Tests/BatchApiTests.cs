using System.Net;
using System.Text;
using System.Text.Json;

namespace CloneFlow.Simulator.Tests;

public sealed class BatchApiTests
{
    private static string B64(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value));

    [Fact]
    public async Task Batch_runs_table_calls_with_base64_bodies_and_lists_unserviced_ones()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var jsonHeaders = new[] { new { name = "Content-Type", value = "application/json" }, new { name = "Accept", value = "application/json" } };
        var (response, body) = await client.PostAsync2("api/now/v1/batch", new
        {
            batch_request_id = "b1",
            rest_requests = new object[]
            {
                new { id = "1", method = "POST", url = "/api/now/table/incident", headers = jsonHeaders, body = B64(new { sys_id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", number = "INC9" }) },
                new { id = "2", method = "GET", url = "/api/now/v2/table/incident?sysparm_query=number=INC9&sysparm_fields=number", headers = jsonHeaders },
                new { id = "3", method = "GET", url = "https://elsewhere.example.com/x", headers = jsonHeaders },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("b1", body.GetProperty("batch_request_id").GetString());
        var serviced = body.GetProperty("serviced_requests").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(201, serviced["1"].GetProperty("status_code").GetInt32());
        Assert.Equal(200, serviced["2"].GetProperty("status_code").GetInt32());
        var listed = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(serviced["2"].GetProperty("body").GetString()!))).RootElement;
        Assert.Equal("INC9", Assert.Single(listed.Result()).GetProperty("number").GetString());
        Assert.Equal(["3"], body.GetProperty("unserviced_requests").EnumerateArray().Select(e => e.GetString()));
        Assert.NotNull(sim["test"].GetRecord("incident", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    }

    [Fact]
    public async Task Batch_needs_an_authenticated_outer_request_and_inner_calls_keep_its_roles()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var anonymous = await sim.Client("test", user: null).PostAsync2("api/now/v1/batch", new { batch_request_id = "x", rest_requests = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Response.StatusCode);

        sim["test"].AddUser("viewer", "pw", "itil");
        var (_, body) = await sim.Client("test", "viewer", "pw").PostAsync2("api/now/v1/batch", new
        {
            batch_request_id = "y",
            rest_requests = new[] { new { id = "1", method = "GET", url = "/api/now/table/sys_update_set", headers = Array.Empty<object>() } },
        });
        Assert.Equal(403, body.GetProperty("serviced_requests")[0].GetProperty("status_code").GetInt32());
    }
}
