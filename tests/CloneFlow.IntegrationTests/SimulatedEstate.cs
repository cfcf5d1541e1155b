using CloneFlow.Core.ServiceNow;
using CloneFlow.Simulator;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.IntegrationTests;

/// <summary>A seeded prod/test/dev simulator with a stopped clock, and CloneFlow clients for its instances.</summary>
internal sealed class SimulatedEstate : IAsyncDisposable
{
    private readonly List<ServiceNowClient> _clients = [];

    private SimulatedEstate(SimulatorHost host) => Host = host;

    public SimulatorHost Host { get; }

    public SimulatedInstance this[string name] => Host[name];

    /// <summary>Fast client retries so fault tests take milliseconds, not minutes.</summary>
    public static ServiceNowClientOptions FastRetries { get; } = new()
    {
        RetryDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetries = 6,
        CircuitMinimumThroughput = 10_000,
        PageSize = 50,
    };

    public static async Task<SimulatedEstate> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions
        {
            Seed = 11,
            ClockAcceleration = 0,
            Estate = new EstateOptions { LargePayloads = 1, LargePayloadBytes = 256 * 1024, UpdatesPerSet = 4 },
        };
        configure?.Invoke(options);
        return new SimulatedEstate(await SimulatorHost.StartAsync(options, CancellationToken.None));
    }

    public ServiceNowClient Client(string instance, ServiceNowCredential? credential = null, ServiceNowClientOptions? options = null)
    {
        var client = new ServiceNowClient(Host.Instances[instance], credential ?? ServiceNowCredential.Basic("admin", "admin"), options ?? FastRetries);
        _clients.Add(client);
        return client;
    }

    /// <summary>Moves the simulated clock and runs what became due (clone phases, CI/CD jobs).</summary>
    public void Advance(TimeSpan delta)
    {
        Host.Clock.Advance(delta);
        Host.Tick();
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await Host.DisposeAsync();
    }
}
