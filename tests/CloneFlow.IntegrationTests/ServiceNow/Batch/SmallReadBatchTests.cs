using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Simulator.Faults;

namespace CloneFlow.IntegrationTests.ServiceNow.Batch;

/// <summary>Small reads gathered into Batch API calls (<c>SmallReadBatch</c>), against the simulator over real HTTP.</summary>
public class SmallReadBatchTests
{
    [Fact]
    public async Task Small_reads_waiting_together_go_in_one_batch_and_answer_as_they_would_alone()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        estate["test"].Faults = new FaultSettings { LatencyMs = 100 };
        var client = estate.Client("test");
        var sets = estate["test"].GetRecords("sys_update_set").Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();
        var queries = Enumerable.Range(0, 6).Select(i => TableQuery.All.AndIn("sys_id", sets.Skip(i * 2).Take(3))).ToList();
        var alone = new List<List<string>>();
        foreach (var query in queries)
        {
            alone.Add(await IdsAsync(client.GetRecordsAsync("sys_update_set", query, ["sys_id", "name"])));
        }

        var before = estate["test"].ApiCalls;
        var together = await Task.WhenAll(queries.Select(query => IdsAsync(client.GetFewRecordsAsync("sys_update_set", query, ["sys_id", "name"]))));

        // One batch, or two when the first read left before the others arrived (they then wait for it and go together).
        Assert.Equal(alone, together);
        Assert.All(together, ids => Assert.Equal(3, ids.Count));
        Assert.InRange(estate["test"].ApiCalls - before, 1, 2);
    }

    [Fact]
    public async Task A_read_its_batch_does_not_serve_goes_alone_and_fails_or_succeeds_as_it_would_alone()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        estate["test"].Faults = new FaultSettings { LatencyMs = 50 };
        var client = estate.Client("test");
        var sets = estate["test"].GetRecords("sys_update_set").Select(r => r["sys_id"]).Take(2).ToList();
        var aloneError = await Assert.ThrowsAsync<ServiceNowException>(() => IdsAsync(client.GetRecordsAsync("no_such_table")));

        var good = IdsAsync(client.GetFewRecordsAsync("sys_update_set", TableQuery.All.AndIn("sys_id", sets)));
        var bad = IdsAsync(client.GetFewRecordsAsync("no_such_table"));
        var alsoGood = IdsAsync(client.GetFewRecordsAsync("sys_update_set", TableQuery.Where("sys_id", sets[0])));

        Assert.Equal(sets.Order(StringComparer.Ordinal), await good);
        var error = await Assert.ThrowsAsync<ServiceNowException>(() => bad);
        Assert.NotNull(aloneError.Status);
        Assert.Equal(aloneError.Status, error.Status);
        Assert.Equal(aloneError.ServiceMessage, error.ServiceMessage);
        Assert.Equal([sets[0]], await alsoGood);
    }

    [Fact]
    public async Task A_batch_the_instance_fails_leaves_every_read_to_go_alone_with_its_retries()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test", options: SimulatedEstate.FastRetries);
        var expected = estate["test"].GetRecords("sys_update_set").Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();
        // The next calls fail: a batch that fails is not retried as a batch (a 500 may be anything), its reads
        // go alone, each with the retries of a single call.
        estate["test"].Faults = new FaultSettings { FailNextCalls = 3 };

        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => IdsAsync(client.GetFewRecordsAsync("sys_update_set"))));

        Assert.All(reads, ids => Assert.Equal(expected, ids));
    }

    [Fact]
    public async Task A_read_expected_small_that_is_not_reads_on_past_its_first_page_and_counts_every_row()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var client = estate.Client("test");
        var query = TableQuery.All.AndNotEmpty("update_set");
        var expected = estate["test"].GetRecords("sys_update_xml", query.Encoded).Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();
        var count = new RecordCount();

        var rows = new List<string>();
        await foreach (var row in client.GetRecordsInRangesAsync("sys_update_xml", query, SysIdSplit.ByFirstCharacter(1), ["sys_id"], pageSize: 5, count, fewRows: true))
        {
            rows.Add(row.SysId);
        }

        Assert.True(expected.Count > 10, "the read should need several pages");
        Assert.Equal(expected, rows);
        Assert.Equal(expected.Count, count.Total);
    }

    private static async Task<List<string>> IdsAsync(IAsyncEnumerable<ServiceNowRecord> rows)
    {
        var ids = new List<string>();
        await foreach (var row in rows)
        {
            ids.Add(row.SysId);
        }

        return ids;
    }
}
