using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CloneFlow.Simulator;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Benchmarks;

/// <summary>What the simulator child process is started with.</summary>
internal sealed record SimulatorSpec
{
    public int LatencyMs { get; init; }

    public int InProgressSets { get; init; } = 3;

    public int UpdatesPerSet { get; init; } = 5;

    public int PayloadBytes { get; init; } = 2048;

    public int LargePayloads { get; init; }

    public int Seed { get; init; } = 5;

    public SimulatorOptions ToOptions()
    {
        var options = new SimulatorOptions
        {
            Seed = Seed,
            LatencyMs = LatencyMs,
            // As in the workflow tests: a 30-minute clone takes 2 real seconds; CI/CD jobs a few ms.
            ClockAcceleration = 900,
            CloneDuration = TimeSpan.FromMinutes(30),
            CloneSchedulingDelay = TimeSpan.FromSeconds(30),
            RestartWindow = TimeSpan.FromMinutes(1),
            AccessTokenLifetime = TimeSpan.FromDays(1),
            Estate = new EstateOptions
            {
                InProgressSets = InProgressSets,
                UpdatesPerSet = UpdatesPerSet,
                PayloadBytes = PayloadBytes,
                LargePayloads = LargePayloads,
                LargePayloadBytes = 300 * 1024,
            },
        };
        options.Instances.Add(new SimulatorInstanceOptions("prod") { IsProduction = true });
        options.Instances.Add(new SimulatorInstanceOptions("test"));
        return options;
    }
}

/// <summary>
/// The ServiceNow simulator in a child process of this benchmark (the same exe, <c>simulator-child</c>),
/// so its in-memory estate (hundreds of MB at 100k updates) is never billed to CloneFlow's memory.
/// </summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SimulatorProcess(Process process, IReadOnlyDictionary<string, Uri> instances)
    {
        _process = process;
        Instances = instances;
    }

    public IReadOnlyDictionary<string, Uri> Instances { get; }

    /// <summary>The child's process id, to meter its CPU.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The API calls that arrived at <paramref name="instance"/> between two moments (from its control surface).</summary>
    public async Task<CloneFlow.Simulator.Http.CallSummary> CallsAsync(string instance, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Instances[instance], Timeout = TimeSpan.FromSeconds(30) };
        var path = string.Create(CultureInfo.InvariantCulture, $"_simulator/calls?from={from.ToUnixTimeMilliseconds()}&to={to.ToUnixTimeMilliseconds()}");
        using var answer = JsonDocument.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative), cancellationToken));
        var calls = answer.RootElement;
        return new(calls.GetProperty("calls").GetInt32(), calls.GetProperty("first_start_ms").GetInt64(), calls.GetProperty("last_end_ms").GetInt64(), calls.GetProperty("busy_ms").GetInt64());
    }

    public static async Task<SimulatorProcess> StartAsync(SimulatorSpec spec, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // A profiler attached to the suite (dotnet-trace collect -- ...) must not also hold the
        // simulator suspended at startup waiting for a tracer that never connects to it.
        start.Environment.Remove("DOTNET_DiagnosticPorts");
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SimulatorProcess).Assembly.Location);
        }

        start.ArgumentList.Add("simulator-child");
        start.ArgumentList.Add(JsonSerializer.Serialize(spec));
        var process = Process.Start(start) ?? throw new InvalidOperationException("The simulator process did not start.");
        var instances = new Dictionary<string, Uri>(StringComparer.Ordinal);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line == "ready")
                {
                    return new SimulatorProcess(process, instances);
                }

                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && Uri.TryCreate(parts[1], UriKind.Absolute, out var url))
                {
                    instances[parts[0]] = url;
                }
            }

            throw new InvalidOperationException($"The simulator process ended before it was ready (exit {(process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "?")}).");
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>The child's entry point: start, print "name url" lines and "ready", stop when stdin closes.</summary>
    public static async Task<int> RunChildAsync(string specJson)
    {
        var spec = JsonSerializer.Deserialize<SimulatorSpec>(specJson) ?? throw new ArgumentException("no simulator spec", nameof(specJson));
        await using var host = await SimulatorHost.StartAsync(spec.ToOptions(), CancellationToken.None);
        foreach (var (name, url) in host.Instances)
        {
            Console.WriteLine($"{name} {url.ToString().TrimEnd('/')}");
        }

        Console.WriteLine("ready");
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
