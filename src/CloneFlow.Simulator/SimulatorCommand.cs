using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Simulator;

/// <summary>Options of <c>cloneflow simulator</c>.</summary>
public sealed class SimulatorCommandOptions
{
    /// <summary>Instance names (default prod, test, dev).</summary>
    public IList<string> Instances { get; } = ["prod", "test", "dev"];

    /// <summary>First port; instance i listens on BasePort + i (0 = free ports).</summary>
    public int BasePort { get; set; }

    /// <summary>Estate seed (default 1).</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Calls per user per simulated hour (0 = unlimited).</summary>
    public int RateLimitPerHour { get; set; }

    /// <summary>Latency added to every call, in milliseconds.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Fraction of calls answered 500.</summary>
    public double ErrorRate { get; set; }

    /// <summary>Simulated seconds per real second.</summary>
    public double ClockAcceleration { get; set; } = 60;
}

/// <summary>The library entry point of <c>cloneflow simulator</c>: runs the simulator in the foreground until cancelled.</summary>
public static class SimulatorCommand
{
    /// <summary>Starts the instances, prints <c>&lt;instance&gt; &lt;baseUrl&gt;</c> per instance and then <c>ready</c>, and runs until <paramref name="cancellationToken"/> fires; returns the exit code.</summary>
    public static async Task<int> RunAsync(SimulatorCommandOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var simulator = new SimulatorOptions
        {
            BasePort = options.BasePort,
            Seed = options.Seed,
            Estate = new EstateOptions(),
            RateLimitPerHour = options.RateLimitPerHour,
            LatencyMs = options.LatencyMs,
            ErrorRate = options.ErrorRate,
            ClockAcceleration = options.ClockAcceleration,
        };
        foreach (var name in options.Instances)
        {
            simulator.Instances.Add(new SimulatorInstanceOptions(name));
        }

        SimulatorHost host;
        try
        {
            host = await SimulatorHost.StartAsync(simulator, cancellationToken);
        }
        catch (IOException ex)
        {
            await output.WriteLineAsync($"error: the simulator could not listen ({ex.Message}); choose another --base-port or 0 for free ports");
            return 1;
        }

        await using (host)
        {
            foreach (var (name, url) in host.Instances)
            {
                await output.WriteLineAsync($"{name} {url.ToString().TrimEnd('/')}");
            }

            await output.WriteLineAsync("ready");
            await output.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: a normal end.
            }
        }

        return 0;
    }
}
