namespace CloneFlow.Simulator.Tests;

/// <summary>
/// Queries the table index answers (a single <c>=</c> or <c>IN</c> clause) return exactly what a full
/// scan returns, in the same order, however the rows were inserted, changed and deleted.
/// </summary>
public sealed class IndexedQueryTests
{
    private static readonly string[] Queries =
    [
        "update_set=set-a",
        "update_set=SET-A",
        "update_setINset-a, set-b",
        "update_set=",
        "update_setIN",
        "update_set=set-b^sys_id>4^sys_id<c^ORDERBYsys_id",
        "update_set=set-c^ORDERBYDESCname",
        "nosuchfield=1^update_set=set-a",
        "update_set=set-a^ORupdate_set=set-b",
        "name=n7^update_set=set-a",
        "sys_id=0000000000000000000000000000000a",
        "sys_idIN0000000000000000000000000000000A,00000000000000000000000000000b01",
        "update_set!=set-a^update_set=set-b",
    ];

    [Fact]
    public async Task Indexed_queries_return_what_a_full_scan_returns()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var test = sim["test"];
        var random = new Random(7);
        string[] sets = ["set-a", "Set-A", "set-b", "set-c", string.Empty];
        for (var i = 0; i < 3000; i++)
        {
            var fields = new Dictionary<string, string> { ["sys_id"] = $"{i * 37 % 4096:x32}", ["name"] = $"n{i % 10}" };
            var set = sets[random.Next(sets.Length)];
            if (set.Length > 0 || random.Next(2) == 0)
            {
                fields["update_set"] = set;
            }

            test.InsertRecord("sys_update_xml", fields);
        }

        AssertSameAsScan(test);
        for (var i = 0; i < 3000; i += 2)
        {
            var sysId = $"{i * 37 % 4096:x32}";
            if (i % 3 == 0)
            {
                test.DeleteRecord("sys_update_xml", sysId);
            }
            else
            {
                test.UpdateRecord("sys_update_xml", sysId, new Dictionary<string, string> { ["update_set"] = sets[random.Next(sets.Length)] });
            }
        }

        AssertSameAsScan(test);

        // Re-inserting a row under a deleted sys_id, and a reset, keep the index right.
        test.InsertRecord("sys_update_xml", new Dictionary<string, string> { ["sys_id"] = $"{0:x32}", ["update_set"] = "set-a", ["name"] = "n7" });
        AssertSameAsScan(test);
        test.Reset();
        Assert.Empty(test.GetRecords("sys_update_xml", "update_set=set-a"));
    }

    private static void AssertSameAsScan(SimulatedInstance instance)
    {
        foreach (var query in Queries)
        {
            // "q^NQq" matches the same rows but has two OR'ed queries, which the index does not answer.
            var terms = query.Split('^');
            var filter = string.Join('^', terms.Where(t => !t.StartsWith("ORDERBY", StringComparison.Ordinal)));
            var order = string.Join('^', terms.Where(t => t.StartsWith("ORDERBY", StringComparison.Ordinal)));
            var scanned = instance.GetRecords("sys_update_xml", $"{filter}^NQ{filter}{(order.Length > 0 ? "^" + order : string.Empty)}");
            var indexed = instance.GetRecords("sys_update_xml", query);
            Assert.Equal(scanned.Select(r => r["sys_id"]), indexed.Select(r => r["sys_id"]));
        }

        Assert.NotEmpty(instance.GetRecords("sys_update_xml", "update_set=set-a"));
    }
}
