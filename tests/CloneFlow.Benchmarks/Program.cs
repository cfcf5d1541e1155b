using System.Globalization;
using System.Text.Json;
using CloneFlow.Benchmarks;

// Usage:
//   dotnet run --project tests/CloneFlow.Benchmarks -c Release -- [all] [--quick] [--latency-ms 100] [--concurrency 8] [--json FILE]
//   dotnet run --project tests/CloneFlow.Benchmarks -c Release -- updateset-stream [--size-mb 500] [--updates 200000] [--json FILE] [--dir DIR]
if (args.Length > 0 && args[0] == "simulator-child")
{
    return await SimulatorProcess.RunChildAsync(args[1]);
}

if (args.Length == 0 || args[0] != "updateset-stream")
{
    var options = SuiteOptions.Parse(args, Console.Error);
    if (options is null)
    {
        Console.Error.WriteLine("usage: CloneFlow.Benchmarks [all] [--quick] [--latency-ms N] [--concurrency N] [--payload-bytes N] [--history-latency-ms N] [--only export,insert,e2e,history] [--json FILE]");
        Console.Error.WriteLine("       CloneFlow.Benchmarks updateset-stream [--size-mb N] [--updates N] [--json FILE] [--dir DIR]");
        return 2;
    }

    // The durable test host logs every gRPC call at Information to the console otherwise.
    Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
    return await Suite.RunAsync(options, Console.Out, CancellationToken.None);
}

var sizeMb = 500L;
var updates = 200_000;
string? jsonPath = null;
var folder = Path.GetTempPath();
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size-mb":
            sizeMb = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--updates":
            updates = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--json":
            jsonPath = args[++i];
            break;
        case "--dir":
            folder = args[++i];
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

Console.WriteLine($"update-set streaming: {sizeMb} MB with {updates:N0} updates (baseline: 1/100 of the updates), files in {folder}");
var results = await UpdateSetStreamingBenchmark.RunAsync(sizeMb * 1024 * 1024, updates, folder, Console.Out, CancellationToken.None);
var readBaseline = results.Single(r => r.Phase == "read baseline");
var readTarget = results.Single(r => r.Phase == "read target");
var writeTarget = results.Single(r => r.Phase == "write target");
var summary = new
{
    fileMegabytes = Math.Round(readTarget.FileBytes / 1048576.0, 1),
    updates = readTarget.Updates,
    readMegabytesPerSecond = Math.Round(readTarget.MegabytesPerSecond, 1),
    readUpdatesPerSecond = Math.Round(readTarget.UpdatesPerSecond),
    writeMegabytesPerSecond = Math.Round(writeTarget.MegabytesPerSecond, 1),
    readPeakWorkingSetMb = Math.Round(readTarget.PeakWorkingSetBytes / 1048576.0, 1),
    writePeakWorkingSetMb = Math.Round(writeTarget.PeakWorkingSetBytes / 1048576.0, 1),
    readPeakWorkingSetGrowthMb = Math.Round((readTarget.PeakWorkingSetBytes - readBaseline.PeakWorkingSetBytes) / 1048576.0, 1),
    fileGrowthRatio = Math.Round((double)readTarget.FileBytes / readBaseline.FileBytes, 1),
    workingSetRatioTargetToBaseline = Math.Round((double)readTarget.PeakWorkingSetBytes / readBaseline.PeakWorkingSetBytes, 2),
};
Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
if (jsonPath is not null)
{
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new { summary, phases = results }, new JsonSerializerOptions { WriteIndented = true }));
}

return 0;
