using System.Net;
using CloneFlow.Simulator.Http;
using CloneFlow.Simulator.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CloneFlow.Simulator;

/// <summary>
/// Runs the simulated instances in-process, each on its own Kestrel listener on 127.0.0.1, and moves
/// their clock-driven work (clones, CI/CD jobs) along in the background.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly SimulatorWorld _world;
    private readonly List<WebApplication> _apps = [];
    private readonly Dictionary<string, Uri> _urls = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private Task _ticker = Task.CompletedTask;

    private SimulatorHost(SimulatorWorld world) => _world = world;

    /// <summary>Instance name -> base URL (e.g. http://127.0.0.1:51234).</summary>
    public IReadOnlyDictionary<string, Uri> Instances => _urls;

    /// <summary>The shared simulator clock.</summary>
    public ISimulatorClock Clock => _world.Clock;

    /// <summary>Whether the 5-day rule between clones to the same target is enforced.</summary>
    public bool EnforceCloneInterval
    {
        get { lock (_world.Gate) { return _world.EnforceCloneInterval; } }
        set { lock (_world.Gate) { _world.EnforceCloneInterval = value; } }
    }

    /// <summary>The state of instance <paramref name="name"/>.</summary>
    public SimulatedInstance this[string name] =>
        _world.Instances.TryGetValue(name, out var instance)
            ? instance
            : throw new KeyNotFoundException($"No simulated instance named '{name}'. Instances: {string.Join(", ", _world.Instances.Keys)}.");

    /// <summary>Starts the instances (seeded when <see cref="SimulatorOptions.Seed"/> is set) and returns once they all listen.</summary>
    public static async Task<SimulatorHost> StartAsync(SimulatorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = new SimulatorHost(new SimulatorWorld(options));
        try
        {
            foreach (var instance in host._world.Instances.Values.OrderBy(i => i.Index))
            {
                if (options.Seed is { } seed)
                {
                    new EstateSeeder(seed, options.Estate).Seed(instance);
                }

                var port = options.BasePort == 0 ? 0 : options.BasePort + instance.Index;
                var app = Build(instance, port);
                await app.StartAsync(cancellationToken);
                host._apps.Add(app);
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                var url = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
                instance.BaseUrl = url;
                instance.SetProperty("glide.servlet.uri", url.ToString());
                host._urls[instance.Name] = url;
            }

            host._ticker = host.TickAsync(host._stopping.Token);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Moves clones and CI/CD jobs along to the clock's current time now (the background loop does it every 20 ms).</summary>
    public void Tick() => _world.Tick();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _ticker;
        }
        catch (OperationCanceledException)
        {
            // Expected: the loop ends by cancellation.
        }

        foreach (var app in _apps)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private static WebApplication Build(SimulatedInstance instance, int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            // Update-set payloads can be several MB and batches carry many of them.
            kestrel.Limits.MaxRequestBodySize = 1L << 30;
        });
        var app = builder.Build();
        var server = new InstanceServer(instance);
        app.Run(server.HandleAsync);
        return app;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            _world.Tick();
        }
    }
}
