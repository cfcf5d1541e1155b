using System.Diagnostics;
using CloneFlow.Core.Runs;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Benchmarks;

/// <summary>One export size, measured through the product's own path.</summary>
internal sealed record ExportRow(
    int Updates, int Sets, long Bytes, double ExportSeconds, double UpdatesPerSecond, double MegabytesPerSecond,
    double PeakWorkingSetMb, double StartWorkingSetMb, double PeakManagedHeapMb, double VsLimit, double VsNaive, double DryRunSeconds,
    CpuSeconds Cpu, double CpuBusy, double CpuCeilingUpdatesPerSecond, InstanceCalls Calls, double ManifestSeconds, long StoredBytes)
{
    /// <summary>How far the working set rose above what the process held when the export began.</summary>
    public double PeakAboveStartMb => Math.Round(PeakWorkingSetMb - StartWorkingSetMb, 1);
}

/// <summary>
/// The calls the instance answered during the export phase: how many, how long they would take packed
/// (every request slot busy all the time: ceil(calls / concurrency) rounds of the latency), from the first
/// one's arrival to the last one's answer, and how many were in flight on average over that span; and the
/// phase's time outside that span: before the first call arrived (the chunk activities starting, reading the
/// plan and their listings) and after the last one was answered (the last exports written, read back and
/// marked, and the orchestration taking the chunks' results).
/// </summary>
internal sealed record InstanceCalls(int Count, double PackedSeconds, double SpanSeconds, double AverageInFlight, double LeadSeconds, double TailSeconds);

/// <summary>The naive sequential export: one request at a time, page by page, into one blob, no verification.</summary>
internal sealed record NaiveExportRow(int Updates, long Bytes, double Seconds, double UpdatesPerSecond, double MegabytesPerSecond, double VsLimit);

/// <summary>
/// Export throughput: a dry run of the real orchestration (preflight, plan, approval, export and verify),
/// so the export phase is exactly what a run does: ExportActivity chunks fanned out by the orchestration,
/// the Exporter reading sys_update_xml pages through the client and streaming them to blobs on Azurite,
/// then reading every blob back (SHA-256 and record count). Timed from the run's own timeline.
/// </summary>
internal static class ExportBenchmark
{
    /// <summary>Rows per Table API page the Exporter asks for.</summary>
    public const int ExporterPageSize = PlannedSet.PageSize;

    public static async Task<ExportRow> RunAsync(WorkflowStack stack, int? azuritePid, double limitPerSecond, int concurrency, int latencyMs, CancellationToken cancellationToken)
    {
        var sampler = PeakMemorySampler.Start();
        await using var cpu = CpuMeter.Start(stack.Simulator.ProcessId, azuritePid);
        CloneRunResult result;
        TimeSpan elapsed;
        RunReport? report;
        try
        {
            (result, elapsed, report) = await stack.RunAsync(dryRun: true, TimeSpan.FromMinutes(30), cancellationToken);
        }
        finally
        {
            await sampler.DisposeAsync();
            sampler.Dispose();
        }

        if (result.Outcome != RunOutcome.DryRun || report is null)
        {
            throw new InvalidOperationException($"The dry run ended {result.Outcome}: {result.Reason}");
        }

        var export = report.Timeline.Single(p => p.Phase == "export");
        // Not part of the export: a run gathers the manifest in its clone request, a dry run in a step after the export.
        var manifest = report.Timeline.Single(p => p.Phase == "manifest");
        var seconds = (export.Ended - export.Started).TotalSeconds;
        var used = cpu.Between(export.Started, export.Ended);
        var calls = await stack.Simulator.CallsAsync("test", export.Started, export.Ended, cancellationToken);
        var span = (calls.LastEndMs - calls.FirstStartMs) / 1000.0;
        var plan = await stack.Artifacts.ReadJsonAsync<RunPlan>(result.RunId, "plan.json", cancellationToken)
            ?? throw new InvalidOperationException("The run has no plan.");
        var artifacts = await stack.Artifacts.ListAsync(result.RunId, cancellationToken);
        var exports = artifacts.Where(a => a.Name.Contains("/exports/", StringComparison.Ordinal)).ToList();
        if (exports.Any(a => !a.Verified))
        {
            throw new InvalidOperationException("An export blob is not verified.");
        }

        var updates = (int)plan.Updates;
        var bytes = exports.Sum(a => a.Bytes);
        // Exports are stored compressed: what went to storage and was read back.
        var stored = exports.Sum(a => a.StoredBytes ?? a.Bytes);
        var perSecond = updates / seconds;
        // The rate the machine could sustain if its CPUs did nothing but this work at the measured cost per update.
        var ceiling = used.Total > 0 ? updates / (used.Total / Environment.ProcessorCount) : 0;
        return new ExportRow(
            updates, plan.LocalSets.Count + plan.RemoteSets.Count, bytes, Round(seconds, 2), Round(perSecond, 0), Round(bytes / 1048576.0 / seconds, 2),
            Mb(sampler.PeakWorkingSetBytes), Mb(sampler.StartWorkingSetBytes), Mb(sampler.PeakManagedHeapBytes), Round(perSecond / limitPerSecond, 3), 0, Round(elapsed.TotalSeconds, 2),
            used, Round(used.Total / (seconds * Environment.ProcessorCount), 2), Round(ceiling, 0),
            new InstanceCalls(
                calls.Calls, Round(Math.Ceiling(calls.Calls / (double)concurrency) * latencyMs / 1000.0, 2), Round(span, 2), span > 0 ? Round(calls.BusyMs / 1000.0 / span, 1) : 0,
                Round((calls.FirstStartMs - export.Started.ToUnixTimeMilliseconds()) / 1000.0, 3), Round((export.Ended.ToUnixTimeMilliseconds() - calls.LastEndMs) / 1000.0, 3)),
            Round((manifest.Ended - manifest.Started).TotalSeconds, 3),
            stored);
    }

    /// <summary>The naive baseline on the same estate: concurrency 1, keyset pages, one blob, no verification.</summary>
    public static async Task<NaiveExportRow> NaiveAsync(WorkflowStack stack, int maxUpdates, double limitPerSecond, CancellationToken cancellationToken)
    {
        var updateSets = new List<string>();
        var client = await stack.Clients.GetAsync("test", cancellationToken);
        await foreach (var set in client.GetRecordsAsync("sys_update_set", TableQuery.Where("state", "in progress"), ["sys_id"], cancellationToken: cancellationToken))
        {
            updateSets.Add(set.SysId);
        }

        var endpoint = stack.Configuration.Instances["test"].BaseUrl!;
        using var sequential = new ServiceNowClient(endpoint, ServiceNowCredential.Basic("admin", "admin"), WorkflowStack.ClientOptions(1) with { PageSize = ExporterPageSize });
        var rows = 0;
        var stopwatch = Stopwatch.StartNew();
        var written = await stack.Artifacts.WriteAsync("naive-" + Guid.NewGuid().ToString("N")[..8], "naive.xml", "application/xml", async (stream, token) =>
        {
            await using var writer = await UpdateSetXmlWriter.CreateAsync(stream, UpdateSetXmlWriter.FormatUnloadDate(DateTimeOffset.UtcNow), token);
            foreach (var set in updateSets)
            {
                await foreach (var row in sequential.GetRecordsAsync("sys_update_xml", TableQuery.Where("update_set", set), pageSize: ExporterPageSize, cancellationToken: token))
                {
                    await writer.WriteAsync(new UpdateXmlRecord(UnloadRecord.DefaultElementAction, row.Values.Select(v => new UnloadField(v.Key, v.Value ?? string.Empty)).ToList()), token);
                    rows++;
                }

                if (rows >= maxUpdates)
                {
                    break;
                }
            }

            await writer.CompleteAsync(token);
        }, cancellationToken);
        stopwatch.Stop();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        return new NaiveExportRow(rows, written.Bytes, Round(seconds, 2), Round(rows / seconds, 0), Round(written.Bytes / 1048576.0 / seconds, 2), Round(rows / seconds / limitPerSecond, 3));
    }

    internal static double Round(double value, int digits) => Math.Round(value, digits);

    internal static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);
}
