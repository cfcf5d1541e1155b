using System.Diagnostics;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Batch;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Benchmarks;

/// <summary>One way of re-inserting exported rows.</summary>
internal sealed record InsertRow(string Mode, int Rows, int Concurrency, double Seconds, double RowsPerSecond, double LimitPerSecond, double VsLimit, double VsNaive);

/// <summary>
/// Re-insert throughput of sys_update_xml rows (copies of real seeded rows under new sys_ids) through the
/// client's idempotent <see cref="ServiceNowClient.EnsureInsertedAsync"/>: Table API one row per call vs
/// the Batch API, both at the concurrency limit; and a naive loop of single inserts at concurrency 1.
/// </summary>
internal static class InsertBenchmark
{
    public static async Task<IReadOnlyList<InsertRow>> RunAsync(Uri endpoint, int concurrency, int latencyMs, int singleRows, int batchRows, int naiveRows, CancellationToken cancellationToken)
    {
        var options = WorkflowStack.ClientOptions(concurrency);
        using var client = new ServiceNowClient(endpoint, ServiceNowCredential.Basic("admin", "admin"), options);
        using var sequential = new ServiceNowClient(endpoint, ServiceNowCredential.Basic("admin", "admin"), WorkflowStack.ClientOptions(1));
        var template = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var row in client.GetRecordsAsync("sys_update_xml", TableQuery.All.AndNotEmpty("update_set"), pageSize: 1, cancellationToken: cancellationToken))
        {
            foreach (var (key, value) in row.Values)
            {
                template[key] = value;
            }

            break;
        }

        List<IReadOnlyDictionary<string, string?>> Rows(int count) =>
            Enumerable.Range(0, count).Select(_ => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>(template, StringComparer.Ordinal) { ["sys_id"] = Guid.NewGuid().ToString("N") }).ToList();

        var latency = Math.Max(1, latencyMs) / 1000.0;
        var singleLimit = concurrency / latency;
        var batchLimit = concurrency * options.BatchSize / latency;
        var naiveLimit = 1 / latency;

        var naive = Rows(naiveRows);
        var stopwatch = Stopwatch.StartNew();
        foreach (var row in naive)
        {
            await sequential.InsertAsync("sys_update_xml", row, cancellationToken);
        }

        var naiveRate = naiveRows / stopwatch.Elapsed.TotalSeconds;
        var results = new List<InsertRow> { Row("naive: Table API, one row at a time", naiveRows, 1, stopwatch.Elapsed, naiveLimit, naiveRate) };
        foreach (var (mode, count, batch, limit) in new[] { ("Table API per row (EnsureInsertedAsync)", singleRows, false, singleLimit), ("Batch API (EnsureInsertedAsync)", batchRows, true, batchLimit) })
        {
            var rows = Rows(count);
            stopwatch.Restart();
            var outcomes = await client.EnsureInsertedAsync("sys_update_xml", rows, useBatchApi: batch, cancellationToken);
            stopwatch.Stop();
            var inserted = outcomes.Count(o => o.Status == InsertStatus.Inserted);
            if (inserted != count)
            {
                throw new InvalidOperationException($"{mode}: {inserted} of {count} rows inserted ({outcomes.FirstOrDefault(o => o.Status != InsertStatus.Inserted)?.Error}).");
            }

            results.Add(Row(mode, count, concurrency, stopwatch.Elapsed, limit, naiveRate));
        }

        return results;
    }

    private static InsertRow Row(string mode, int rows, int concurrency, TimeSpan elapsed, double limit, double naiveRate)
    {
        var rate = rows / elapsed.TotalSeconds;
        return new InsertRow(mode, rows, concurrency, Math.Round(elapsed.TotalSeconds, 2), Math.Round(rate, 1), Math.Round(limit, 0), Math.Round(rate / limit, 3), Math.Round(rate / naiveRate, 1));
    }
}
