using System.Net;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Batch;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.IntegrationTests.ServiceNow;

/// <summary>The client's Table and Batch API calls against the simulator over real HTTP.</summary>
public class ServiceNowClientTableTests
{
    [Fact]
    public async Task Streams_every_matching_row_across_pages_in_sys_id_order()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var expected = estate["test"].GetRecords("sys_update_xml").Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();

        var rows = new List<ServiceNowRecord>();
        await foreach (var row in client.GetRecordsAsync("sys_update_xml", fields: ["sys_id", "name"], pageSize: 7))
        {
            rows.Add(row);
        }

        Assert.True(expected.Count > 14, "the estate should need several pages");
        Assert.Equal(expected, rows.Select(r => r.SysId));
        Assert.All(rows, r => Assert.Equal(["sys_id", "name"], r.Values.Keys.Order(StringComparer.Ordinal).Reverse()));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(16)]
    public async Task Reading_sys_id_ranges_at_once_returns_every_matching_row_exactly_once(int partitions)
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var query = TableQuery.All.AndNotEmpty("update_set");
        var expected = estate["test"].GetRecords("sys_update_xml", query.Encoded).Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();

        var rows = new List<string>();
        await foreach (var row in client.GetRecordsInRangesAsync("sys_update_xml", query, SysIdSplit.ByFirstCharacter(partitions), ["sys_id"], pageSize: 3))
        {
            rows.Add(row.SysId);
        }

        Assert.True(expected.Count > 14, "the estate should need several pages");
        Assert.Equal(expected, rows.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(50)]
    public async Task Ranges_starting_where_each_page_starts_are_read_a_few_at_a_time_with_one_request_per_page(int atOnce)
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var query = TableQuery.All.AndNotEmpty("update_set");
        var expected = estate["test"].GetRecords("sys_update_xml", query.Encoded).Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();
        const int pageSize = 4;
        var split = SysIdSplit.At(expected.Where((_, i) => i > 0 && i % pageSize == 0).ToList(), atOnce);
        var before = estate["test"].ApiCalls;

        var count = new RecordCount();
        var rows = new List<string>();
        await foreach (var row in client.GetRecordsInRangesAsync("sys_update_xml", query, split, ["sys_id"], pageSize, count))
        {
            rows.Add(row.SysId);
        }

        Assert.True(split.Count > 3, "the estate should need several pages");
        Assert.Equal(expected, rows.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, count.Total);
        Assert.Equal(split.Count, estate["test"].ApiCalls - before);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    [InlineData(16, 2)]
    public async Task A_counted_read_reports_the_instance_count_and_still_returns_every_row_once(int partitions, int pageSize)
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var query = TableQuery.All.AndNotEmpty("update_set");
        var expected = estate["test"].GetRecords("sys_update_xml", query.Encoded).Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();

        var count = new RecordCount();
        var rows = new List<string>();
        await foreach (var row in client.GetRecordsInRangesAsync("sys_update_xml", query, SysIdSplit.ByFirstCharacter(partitions), ["sys_id"], pageSize, count))
        {
            rows.Add(row.SysId);
        }

        Assert.Equal(expected.Count, count.Total);
        Assert.Equal(Math.Min(partitions, 16), count.Ranges);
        Assert.Equal(expected, rows.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_row_added_ahead_of_a_counted_read_is_read_and_counted()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var query = TableQuery.All.AndNotEmpty("update_set");
        var before = estate["test"].GetRecords("sys_update_xml", query.Encoded).Count;

        var (rows, count) = await ReadAddingOneRowAsync(estate, client, query, new string('f', 32));

        // "ffff…" sorts after every row read so far: the next page brings it and its count says so,
        // so the read matches what ServiceNow counted at its last page.
        Assert.Equal(before + 1, rows);
        Assert.Equal(before + 1, count.Total);
    }

    [Theory]
    [InlineData(10, 5, 2)]
    [InlineData(10, 3, 4)]
    [InlineData(10, 10, 1)]
    [InlineData(10, 20, 1)]
    public async Task A_counted_read_stops_once_it_has_the_counted_rows_so_a_full_last_page_needs_no_empty_request(int rowsInSet, int pageSize, int requests)
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var set = Guid.NewGuid().ToString("N");
        for (var i = 0; i < rowsInSet; i++)
        {
            estate["test"].InsertRecord("sys_update_xml", new Dictionary<string, string> { ["update_set"] = set, ["name"] = $"change_{i}" });
        }

        var count = new RecordCount();
        var calls = estate["test"].ApiCalls;
        var rows = 0;
        await foreach (var unused in client.GetRecordsInRangesAsync("sys_update_xml", TableQuery.Where("update_set", set), SysIdSplit.ByFirstCharacter(1), ["sys_id"], pageSize, count))
        {
            rows++;
        }

        Assert.Equal(rowsInSet, rows);
        Assert.Equal(rowsInSet, count.Total);
        Assert.Equal(requests, estate["test"].ApiCalls - calls);
    }

    /// <summary>Reads with pages of 5 and, after the first row, stores one more row with the given sys_id in the same set.</summary>
    private static async Task<(int Rows, RecordCount Count)> ReadAddingOneRowAsync(SimulatedEstate estate, ServiceNowClient client, TableQuery query, string sysId)
    {
        var template = estate["test"].GetRecords("sys_update_xml", query.Encoded)[0];
        var count = new RecordCount();
        var rows = 0;
        await foreach (var unused in client.GetRecordsInRangesAsync("sys_update_xml", query, SysIdSplit.ByFirstCharacter(1), ["sys_id"], pageSize: 5, count))
        {
            if (rows++ == 0)
            {
                // A developer saves one more change while the export runs.
                estate["test"].InsertRecord("sys_update_xml", new Dictionary<string, string> { ["sys_id"] = sysId, ["update_set"] = template["update_set"], ["name"] = "late_change" });
            }
        }

        return (rows, count);
    }

    [Fact]
    public async Task Queries_filter_on_the_instance_and_count_matches()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var query = TableQuery.Where("state", "in progress").AndNot("name", "Default");
        var expected = estate["test"].GetRecords("sys_update_set", query.Encoded).Select(r => r["name"]).Order(StringComparer.Ordinal).ToList();

        var names = new List<string?>();
        await foreach (var row in client.GetRecordsAsync("sys_update_set", query, ["name", "state"]))
        {
            names.Add(row.Get("name"));
            Assert.Equal("in progress", row.Get("state"));
        }

        Assert.True(expected.Count >= 2);
        Assert.Equal(expected, names.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, await client.CountAsync("sys_update_set", query));
    }

    [Fact]
    public async Task Paging_stays_exact_while_rows_are_inserted_and_deleted_behind_and_ahead()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var instance = estate["test"];
        var before = instance.GetRecords("sys_update_xml").Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();
        var deleted = before[^3];
        var seen = new List<string>();
        var page = 0;

        await foreach (var row in client.GetRecordsAsync("sys_update_xml", fields: ["sys_id"], pageSize: 5))
        {
            seen.Add(row.SysId);
            if (seen.Count % 5 == 0 && page++ == 1)
            {
                // Offset paging would now skip or repeat rows: rows appear before and after the cursor.
                instance.InsertRecord("sys_update_xml", new Dictionary<string, string> { ["sys_id"] = "00000000000000000000000000000001", ["name"] = "early" });
                instance.InsertRecord("sys_update_xml", new Dictionary<string, string> { ["sys_id"] = "ffffffffffffffffffffffffffffffff", ["name"] = "late" });
                instance.DeleteRecord("sys_update_xml", deleted);
            }
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(before.Where(id => id != deleted), seen.Where(id => before.Contains(id)));
        Assert.Contains("ffffffffffffffffffffffffffffffff", seen);
        Assert.DoesNotContain("00000000000000000000000000000001", seen);
    }

    [Fact]
    public async Task Get_insert_update_and_delete_a_record()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");

        var inserted = await client.InsertAsync("sys_properties", new Dictionary<string, string?> { ["sys_id"] = "a1b2c3d4e5f60718293a4b5c6d7e8f90", ["name"] = "x_cloneflow.check", ["value"] = "1" });
        var updated = await client.UpdateAsync("sys_properties", inserted.SysId, new Dictionary<string, string?> { ["value"] = "2" });
        var read = await client.GetRecordAsync("sys_properties", inserted.SysId, ["name", "value", "sys_updated_on"]);
        var deleted = await client.DeleteAsync("sys_properties", inserted.SysId);
        var deletedAgain = await client.DeleteAsync("sys_properties", inserted.SysId);

        Assert.Equal("a1b2c3d4e5f60718293a4b5c6d7e8f90", inserted.SysId);
        Assert.Equal("2", updated.Get("value"));
        Assert.Equal("2", read!.Get("value"));
        Assert.False(string.IsNullOrEmpty(read.Get("sys_updated_on")));
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Null(await client.GetRecordAsync("sys_properties", inserted.SysId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Idempotent_inserts_write_each_row_once_however_often_they_run(bool useBatchApi)
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var rows = Enumerable.Range(0, 120)
            .Select(i => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?> { ["sys_id"] = $"{i:x32}", ["name"] = $"x_cloneflow.p{i}", ["value"] = "v" })
            .ToList();
        estate["test"].InsertRecord("sys_properties", new Dictionary<string, string> { ["sys_id"] = $"{5:x32}", ["name"] = "x_cloneflow.p5", ["value"] = "v" });
        var before = estate["test"].Count("sys_properties");

        var first = await client.EnsureInsertedAsync("sys_properties", rows, useBatchApi);
        var second = await client.EnsureInsertedAsync("sys_properties", rows, useBatchApi);

        Assert.Equal(119, first.Count(o => o.Status == InsertStatus.Inserted));
        Assert.Equal(InsertStatus.AlreadyPresent, first.Single(o => o.SysId == $"{5:x32}").Status);
        Assert.All(second, o => Assert.Equal(InsertStatus.AlreadyPresent, o.Status));
        Assert.Equal(before + 119, estate["test"].Count("sys_properties"));
    }

    [Fact]
    public async Task A_refused_row_is_reported_failed_and_a_missing_table_is_one_clear_error()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("prod");
        var rows = new List<IReadOnlyDictionary<string, string?>>
        {
            // The clone engine refuses production as a target (403 with the reason).
            new Dictionary<string, string?> { ["sys_id"] = $"{1:x32}", ["source_instance"] = "prod", ["target_instance"] = "prod" },
            new Dictionary<string, string?> { ["sys_id"] = $"{2:x32}", ["source_instance"] = "prod", ["target_instance"] = "dev" },
        };

        var outcome = await client.EnsureInsertedAsync("sn_instance_clone_request", rows);
        var missingTable = await Assert.ThrowsAsync<ServiceNowException>(() => client.EnsureInsertedAsync("no_such_table", rows));

        Assert.Equal(InsertStatus.Failed, outcome[0].Status);
        Assert.Contains("prod", outcome[0].Error, StringComparison.Ordinal);
        Assert.Equal(InsertStatus.Inserted, outcome[1].Status);
        Assert.Equal(HttpStatusCode.BadRequest, missingTable.Status);
        Assert.Contains("no_such_table", missingTable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_and_lost_connections_during_inserts_lose_and_duplicate_nothing()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        estate["test"].Faults = new CloneFlow.Simulator.Faults.FaultSettings { ErrorRate = 0.15, DropConnectionRate = 0.05 };
        var rows = Enumerable.Range(0, 200)
            .Select(i => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?> { ["sys_id"] = $"{i + 1000:x32}", ["name"] = $"x_cloneflow.f{i}", ["value"] = "v" })
            .ToList();

        var single = await client.EnsureInsertedAsync("sys_properties", rows[..100], useBatchApi: false);
        var batched = await client.EnsureInsertedAsync("sys_properties", rows[100..], useBatchApi: true);
        estate["test"].Faults = new CloneFlow.Simulator.Faults.FaultSettings();

        Assert.All(single.Concat(batched), o => Assert.NotEqual(InsertStatus.Failed, o.Status));
        var stored = estate["test"].GetRecords("sys_properties", "nameSTARTSWITHx_cloneflow.f");
        Assert.Equal(200, stored.Count);
        Assert.Equal(200, stored.Select(r => r["sys_id"]).Distinct().Count());
    }

    [Fact]
    public async Task A_429_storm_is_waited_out_as_told_and_nothing_is_lost()
    {
        await using var estate = await SimulatedEstate.StartAsync(o => o.ClockAcceleration = 3600);
        var client = estate.Client("test", options: SimulatedEstate.FastRetries with { MaxRetries = 20, MaxRetryAfter = TimeSpan.FromSeconds(5) });
        estate["test"].RateLimitPerHour = 15;
        var rows = Enumerable.Range(0, 40)
            .Select(i => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?> { ["sys_id"] = $"{i + 5000:x32}", ["name"] = $"x_cloneflow.r{i}" })
            .ToList();

        var outcomes = await client.EnsureInsertedAsync("sys_properties", rows, useBatchApi: false);

        Assert.All(outcomes, o => Assert.Equal(InsertStatus.Inserted, o.Status));
        Assert.Equal(40, estate["test"].GetRecords("sys_properties", "nameSTARTSWITHx_cloneflow.r").Count);
    }

    [Fact]
    public async Task Retries_are_bounded_and_end_in_one_clear_error()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test", options: SimulatedEstate.FastRetries with { MaxRetries = 2 });
        estate["test"].Faults = new CloneFlow.Simulator.Faults.FaultSettings { FailNextCalls = 3 };

        var error = await Assert.ThrowsAsync<ServiceNowException>(() => client.GetRecordAsync("sys_update_set", $"{1:x32}"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.True(error.IsTransient);
        Assert.NotNull(await client.GetRecordAsync("sys_user", estate["test"].GetRecords("sys_user")[0]["sys_id"]));
    }

    [Fact]
    public async Task Wrong_credentials_and_missing_roles_are_clear_errors()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var wrong = estate.Client("test", ServiceNowCredential.Basic("admin", "not-the-password"));
        var developer = estate.Client("test", ServiceNowCredential.Basic("jane.developer", "jane"));

        var unauthenticated = await Assert.ThrowsAsync<ServiceNowException>(() => wrong.CountAsync("sys_update_set"));
        var forbidden = await Assert.ThrowsAsync<ServiceNowException>(() => developer.CountAsync("sys_update_set"));

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.Status);
        Assert.Equal("User Not Authenticated", unauthenticated.ServiceMessage);
        Assert.DoesNotContain("not-the-password", unauthenticated.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.False(forbidden.IsTransient);
    }

    [Theory]
    [InlineData("password")]
    [InlineData("client_credentials")]
    public async Task OAuth_grants_sign_in_and_survive_token_expiry(string grant)
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var credential = grant == "password"
            ? ServiceNowCredential.OAuthPassword("cloneflow", "cloneflow-secret", "admin", "admin")
            : ServiceNowCredential.OAuthClientCredentials("cloneflow", "cloneflow-secret");
        var client = estate.Client("test", credential);

        var first = await client.CountAsync("sys_update_set");
        estate.Advance(TimeSpan.FromHours(2));
        var afterExpiry = await client.CountAsync("sys_update_set");

        Assert.True(first > 0);
        Assert.Equal(first, afterExpiry);
    }

    [Fact]
    public async Task A_disabled_client_credentials_grant_is_a_clear_401()
    {
        await using var estate = await SimulatedEstate.StartAsync(o => o.Instances.Add(new CloneFlow.Simulator.SimulatorInstanceOptions("test") { ClientCredentialsEnabled = false }));
        var client = estate.Client("test", ServiceNowCredential.OAuthClientCredentials("cloneflow", "cloneflow-secret"));

        var error = await Assert.ThrowsAsync<ServiceNowException>(() => client.CountAsync("sys_update_set"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("OAuth token request was refused", error.Message, StringComparison.Ordinal);
    }
}
