using System.Diagnostics;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Benchmarks;

/// <summary>
/// Writes a generated update-set export with the streaming writer, then reads it back with the
/// streaming reader hashing every payload, at a small baseline size and at the target size, in one
/// process: memory that stays flat while the file grows 100-fold is what "streaming" means.
/// </summary>
internal static class UpdateSetStreamingBenchmark
{
    public static async Task<IReadOnlyList<PhaseResult>> RunAsync(long targetBytes, int targetUpdates, string folder, TextWriter log, CancellationToken cancellationToken)
    {
        var baselineUpdates = Math.Max(1, targetUpdates / 100);
        var payloadBytes = await PayloadSizeForAsync(targetBytes / Math.Max(1, targetUpdates), cancellationToken);
        var results = new List<PhaseResult>();
        foreach (var (label, updates) in new[] { ("baseline", baselineUpdates), ("target", targetUpdates) })
        {
            var path = Path.Combine(folder, $"cloneflow-bench-{label}-{updates}.xml");
            try
            {
                var options = new UpdateSetSampleOptions { Sets = 50, Updates = updates, PayloadBytes = payloadBytes };
                results.Add(await MeasureAsync($"write {label}", updates, () => WriteAsync(path, options, cancellationToken), () => new FileInfo(path).Length));
                log.WriteLine(results[^1]);
                var counted = 0L;
                results.Add(await MeasureAsync($"read {label}", updates, async () => counted = await ReadAsync(path, cancellationToken), () => new FileInfo(path).Length));
                log.WriteLine(results[^1]);
                if (counted != updates)
                {
                    throw new InvalidOperationException($"Read {counted} updates back from {path}, expected {updates}.");
                }
            }
            finally
            {
                File.Delete(path);
            }
        }

        return results;
    }

    /// <summary>
    /// The sample payload size that makes the file about <paramref name="bytesPerUpdate"/> per update:
    /// fields and escaping add to every payload, so fit bytes = a + b * payload on two small samples.
    /// </summary>
    private static async Task<int> PayloadSizeForAsync(long bytesPerUpdate, CancellationToken cancellationToken)
    {
        const int probeUpdates = 200;
        async Task<double> PerUpdateAsync(int payload)
        {
            using var counter = new MemoryStream();
            await UpdateSetSample.WriteAsync(counter, new UpdateSetSampleOptions { Sets = 1, Updates = probeUpdates, PayloadBytes = payload }, cancellationToken);
            return (double)counter.Length / probeUpdates;
        }

        var small = await PerUpdateAsync(1000);
        var large = await PerUpdateAsync(3000);
        var slope = (large - small) / 2000;
        var intercept = small - (slope * 1000);
        return (int)Math.Max(64, (bytesPerUpdate - intercept) / slope);
    }

    private static async Task WriteAsync(string path, UpdateSetSampleOptions options, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await UpdateSetSample.WriteAsync(file, options, cancellationToken);
    }

    private static async Task<long> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        var summary = await UpdateSetFileScanner.ScanAsync(file, cancellationToken: cancellationToken);
        return summary.Updates;
    }

    private static async Task<PhaseResult> MeasureAsync(string phase, int updates, Func<Task> run, Func<long> bytes)
    {
        using var sampler = PeakMemorySampler.Start();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await run();
        }
        finally
        {
            stopwatch.Stop();
            await sampler.DisposeAsync();
        }

        return new PhaseResult(phase, updates, bytes(), stopwatch.Elapsed, sampler.PeakWorkingSetBytes, sampler.PeakManagedHeapBytes);
    }
}

/// <summary>One measured phase.</summary>
internal sealed record PhaseResult(string Phase, int Updates, long FileBytes, TimeSpan Elapsed, long PeakWorkingSetBytes, long PeakManagedHeapBytes)
{
    public double MegabytesPerSecond => FileBytes / 1048576.0 / Elapsed.TotalSeconds;

    public double UpdatesPerSecond => Updates / Elapsed.TotalSeconds;

    public override string ToString() =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{Phase,-16} {Updates,8:N0} updates {FileBytes / 1048576.0,8:F1} MB {Elapsed.TotalSeconds,7:F2} s {MegabytesPerSecond,7:F1} MB/s {UpdatesPerSecond,9:N0} upd/s  peak WS {PeakWorkingSetBytes / 1048576.0,6:F1} MB  peak heap {PeakManagedHeapBytes / 1048576.0,6:F1} MB");
}
