using System.Net;
using System.Text.Json;

namespace CloneFlow.Simulator.Tests;

public sealed class TableApiTests
{
    private static async Task<Sim> WithIncidentsAsync()
    {
        var sim = await Sim.StartAsync(seed: null);
        var test = sim["test"];
        var jane = test.AddUser("jane", "pw", "itil");
        string[] descriptions = ["Email down", "VPN slow", "Printer jam", "Email bounce", "Laptop broken"];
        for (var i = 0; i < descriptions.Length; i++)
        {
            test.InsertRecord("incident", new Dictionary<string, string>
            {
                ["sys_id"] = $"{i + 1:x32}",
                ["number"] = $"INC000100{i}",
                ["short_description"] = descriptions[i],
                ["priority"] = (i % 3 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["category"] = i == 2 ? string.Empty : "software",
                ["caller_id"] = i == 0 ? jane : string.Empty,
            });
        }

        return sim;
    }

    private static async Task<string[]> NumbersAsync(HttpClient client, string query)
    {
        var (response, body) = await client.GetAsync2($"api/now/v2/table/incident?sysparm_fields=number&sysparm_query={Uri.EscapeDataString(query)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. body.Result().Select(r => r.GetProperty("number").GetString()!)];
    }

    [Theory]
    [InlineData("priority=1", new[] { "INC0001000", "INC0001003" })]
    [InlineData("priority!=1", new[] { "INC0001001", "INC0001002", "INC0001004" })]
    [InlineData("priorityIN2,3", new[] { "INC0001001", "INC0001002", "INC0001004" })]
    [InlineData("priorityNOT IN1,2", new[] { "INC0001002" })]
    [InlineData("categoryISEMPTY", new[] { "INC0001002" })]
    [InlineData("categoryISNOTEMPTY^priority=1", new[] { "INC0001000", "INC0001003" })]
    [InlineData("short_descriptionLIKEmail", new[] { "INC0001000", "INC0001003" })]
    [InlineData("short_descriptionSTARTSWITHEmail", new[] { "INC0001000", "INC0001003" })]
    [InlineData("priority=3^ORshort_descriptionSTARTSWITHVPN", new[] { "INC0001001", "INC0001002" })]
    [InlineData("priority=1^NQpriority=3", new[] { "INC0001000", "INC0001002", "INC0001003" })]
    [InlineData("caller_id.user_name=jane", new[] { "INC0001000" })]
    public async Task Encoded_query_operators_filter_like_ServiceNow(string query, string[] expected)
    {
        await using var sim = await WithIncidentsAsync();
        Assert.Equal(expected, await NumbersAsync(sim.Client("test"), query));
    }

    [Fact]
    public async Task Orderby_and_orderbydesc_sort_the_rows()
    {
        await using var sim = await WithIncidentsAsync();
        var client = sim.Client("test");
        Assert.Equal(["INC0001000", "INC0001003", "INC0001001", "INC0001004", "INC0001002"], await NumbersAsync(client, "ORDERBYpriority^ORDERBYnumber"));
        Assert.Equal(["INC0001004", "INC0001003", "INC0001002", "INC0001001", "INC0001000"], await NumbersAsync(client, "ORDERBYDESCnumber"));
    }

    [Fact]
    public async Task A_condition_on_an_unknown_field_is_dropped_so_more_rows_match()
    {
        await using var sim = await WithIncidentsAsync();
        var client = sim.Client("test");
        Assert.Equal(2, (await NumbersAsync(client, "priority=1")).Length);
        Assert.Equal(2, (await NumbersAsync(client, "priority=1^no_such_field=x")).Length);
        Assert.Equal(5, (await NumbersAsync(client, "no_such_field=x")).Length);
    }

    [Fact]
    public async Task Paging_sets_total_count_and_link_rels()
    {
        await using var sim = await WithIncidentsAsync();
        var client = sim.Client("test");
        var (response, body) = await client.GetAsync2("api/now/table/incident?sysparm_query=ORDERBYnumber&sysparm_limit=2&sysparm_offset=2");

        Assert.Equal("5", response.Header("X-Total-Count"));
        Assert.Equal(["INC0001002", "INC0001003"], body.Result().Select(r => r.GetProperty("number").GetString()));
        var links = response.Header("Link");
        var baseUrl = sim.Host.Instances["test"].ToString().TrimEnd('/');
        Assert.Contains($"<{baseUrl}/api/now/table/incident?sysparm_query=ORDERBYnumber&sysparm_limit=2&sysparm_offset=0>;rel=\"first\"", links, StringComparison.Ordinal);
        Assert.Contains("sysparm_offset=0>;rel=\"prev\"", links, StringComparison.Ordinal);
        Assert.Contains("sysparm_offset=4>;rel=\"next\"", links, StringComparison.Ordinal);
        Assert.Contains("sysparm_offset=4>;rel=\"last\"", links, StringComparison.Ordinal);

        var (first, _) = await client.GetAsync2("api/now/table/incident?sysparm_limit=2");
        Assert.DoesNotContain("rel=\"prev\"", first.Header("Link"), StringComparison.Ordinal);
        var (last, _) = await client.GetAsync2("api/now/table/incident?sysparm_limit=2&sysparm_offset=4");
        Assert.DoesNotContain("rel=\"next\"", last.Header("Link"), StringComparison.Ordinal);
        var (noCount, _) = await client.GetAsync2("api/now/table/incident?sysparm_limit=2&sysparm_no_count=true");
        Assert.False(noCount.Headers.Contains("X-Total-Count"));
    }

    [Fact]
    public async Task Default_limit_is_10000()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var rows = Enumerable.Range(0, 10_050).Select(i => new Dictionary<string, string> { ["number"] = $"INC{i:0000000}" });
        foreach (var row in rows)
        {
            sim["test"].InsertRecord("incident", row);
        }

        var (response, body) = await sim.Client("test").GetAsync2("api/now/table/incident?sysparm_fields=number");
        Assert.Equal(10_000, body.Result().Length);
        Assert.Equal("10050", response.Header("X-Total-Count"));
        Assert.Contains("sysparm_offset=10000>;rel=\"next\"", response.Header("Link"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task References_render_as_link_and_value_display_value_or_plain()
    {
        await using var sim = await WithIncidentsAsync();
        var client = sim.Client("test");
        var baseUrl = sim.Host.Instances["test"].ToString().TrimEnd('/');
        var id = $"{1:x32}";
        var jane = sim["test"].GetRecord("incident", id)!["caller_id"];

        var (_, plain) = await client.GetAsync2($"api/now/table/incident/{id}");
        var caller = plain.GetProperty("result").GetProperty("caller_id");
        Assert.Equal($"{baseUrl}/api/now/table/sys_user/{jane}", caller.GetProperty("link").GetString());
        Assert.Equal(jane, caller.GetProperty("value").GetString());

        var (_, excluded) = await client.GetAsync2($"api/now/table/incident/{id}?sysparm_exclude_reference_link=true");
        Assert.Equal(jane, excluded.GetProperty("result").GetProperty("caller_id").GetString());

        var (_, display) = await client.GetAsync2($"api/now/table/incident/{id}?sysparm_display_value=true&sysparm_exclude_reference_link=true");
        Assert.Equal("jane", display.GetProperty("result").GetProperty("caller_id").GetString());

        var (_, displayLinked) = await client.GetAsync2($"api/now/table/incident/{id}?sysparm_display_value=true");
        Assert.Equal("jane", displayLinked.GetProperty("result").GetProperty("caller_id").GetProperty("display_value").GetString());
        Assert.Equal($"{baseUrl}/api/now/table/sys_user/{jane}", displayLinked.GetProperty("result").GetProperty("caller_id").GetProperty("link").GetString());

        var (_, all) = await client.GetAsync2($"api/now/table/incident/{id}?sysparm_display_value=all");
        Assert.Equal("jane", all.GetProperty("result").GetProperty("caller_id").GetProperty("display_value").GetString());
        Assert.Equal(jane, all.GetProperty("result").GetProperty("caller_id").GetProperty("value").GetString());
        Assert.Equal("INC0001000", all.GetProperty("result").GetProperty("number").GetProperty("value").GetString());

        var (_, emptyRef) = await client.GetAsync2($"api/now/table/incident/{2:x32}");
        Assert.Equal(string.Empty, emptyRef.GetProperty("result").GetProperty("caller_id").GetString());
    }

    [Fact]
    public async Task Sysparm_fields_limits_the_output()
    {
        await using var sim = await WithIncidentsAsync();
        var (_, body) = await sim.Client("test").GetAsync2($"api/now/table/incident/{1:x32}?sysparm_fields=number,sys_id");
        Assert.Equal(["number", "sys_id"], body.GetProperty("result").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Insert_honours_a_given_sys_id_maintains_system_fields_and_refuses_a_duplicate()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var id = "0123456789abcdef0123456789abcdef";
        var (created, body) = await client.PostAsync2("api/now/table/incident", new { sys_id = id, number = "INC1", sys_created_by = "mallory", bogus_field = "x" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var result = body.GetProperty("result");
        Assert.Equal(id, result.GetProperty("sys_id").GetString());
        Assert.Equal("admin", result.GetProperty("sys_created_by").GetString());
        Assert.Equal("0", result.GetProperty("sys_mod_count").GetString());
        Assert.False(result.TryGetProperty("bogus_field", out _));

        var (duplicate, error) = await client.PostAsync2("api/now/table/incident", new { sys_id = id, number = "INC2" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("failure", error.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Patch_put_and_delete_change_the_record()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var (_, created) = await client.PostAsync2("api/now/table/incident", new { number = "INC1", priority = 3 });
        var id = created.GetProperty("result").GetProperty("sys_id").GetString()!;
        sim.Advance(TimeSpan.FromMinutes(5));

        var (patched, patchBody) = await client.PatchAsync2($"api/now/table/incident/{id}", new { priority = "1" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("1", patchBody.GetProperty("result").GetProperty("priority").GetString());
        Assert.Equal("INC1", patchBody.GetProperty("result").GetProperty("number").GetString());
        Assert.Equal("1", patchBody.GetProperty("result").GetProperty("sys_mod_count").GetString());
        Assert.NotEqual(patchBody.GetProperty("result").GetProperty("sys_created_on").GetString(), patchBody.GetProperty("result").GetProperty("sys_updated_on").GetString());

        var (put, putBody) = await client.SendAsync(HttpMethod.Put, $"api/now/table/incident/{id}", new { short_description = "now with text" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("now with text", putBody.GetProperty("result").GetProperty("short_description").GetString());

        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"api/now/table/incident/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var (gone, goneBody) = await client.GetAsync2($"api/now/table/incident/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("No Record found", goneBody.GetProperty("error").GetProperty("message").GetString());
        var (missingPatch, _) = await client.PatchAsync2($"api/now/table/incident/{id}", new { priority = "2" });
        Assert.Equal(HttpStatusCode.NotFound, missingPatch.StatusCode);
    }

    [Fact]
    public async Task V1_answers_404_for_an_empty_list_and_v2_and_the_unversioned_url_answer_200_with_an_empty_result()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        var (v1, v1Body) = await client.GetAsync2("api/now/v1/table/incident?sysparm_query=number=none");
        Assert.Equal(HttpStatusCode.NotFound, v1.StatusCode);
        Assert.Equal("No Record found", v1Body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("failure", v1Body.GetProperty("status").GetString());

        var (latest, latestBody) = await client.GetAsync2("api/now/table/incident?sysparm_query=number=none");
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
        Assert.Empty(latestBody.Result());

        var (v2, v2Body) = await client.GetAsync2("api/now/v2/table/incident?sysparm_query=number=none");
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.Empty(v2Body.Result());
        Assert.Equal("0", v2.Header("X-Total-Count"));
    }

    [Fact]
    public async Task A_table_that_does_not_exist_is_refused_with_400()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var (response, body) = await sim.Client("test").GetAsync2("api/now/v2/table/rm_story");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid table rm_story", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Hidden_fields_are_never_returned()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var (_, body) = await sim.Client("test").GetAsync2("api/now/v2/table/sys_user?sysparm_query=user_name=admin");
        var user = Assert.Single(body.Result());
        Assert.False(user.TryGetProperty("user_password", out _));
        Assert.Equal(JsonValueKind.String, user.GetProperty("user_name").ValueKind);
    }
}
