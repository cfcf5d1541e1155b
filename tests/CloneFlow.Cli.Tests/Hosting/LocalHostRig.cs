using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using CloneFlow.Cli.Commands;
using CloneFlow.Core.Secrets;
using CloneFlow.Emulators;
using CloneFlow.Simulator;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Cli.Tests.Hosting;

/// <summary>
/// Everything outside the host that a crash must not disturb: the ServiceNow simulator (prod, test)
/// over HTTP in this process, Azurite, a configuration file and the secrets in the host's
/// environment. Hosts come and go as <c>cloneflow serve</c> processes on one fixed address, so
/// approval links sent by a killed host still lead to the next one.
/// </summary>
internal sealed class LocalHostRig : IAsyncDisposable
{
    public const string Approver = "lead@acme.example";

    private readonly AzuriteHost _azurite;
    private readonly DirectoryInfo _folder;
    private readonly Dictionary<string, string> _environment;
    private readonly HttpClient _http;
    private ServeProcess? _host;

    private LocalHostRig(SimulatorHost simulator, AzuriteHost azurite, DirectoryInfo folder, Dictionary<string, string> environment, Uri baseUrl)
    {
        Simulator = simulator;
        _azurite = azurite;
        _folder = folder;
        _environment = environment;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    public SimulatorHost Simulator { get; }

    public Uri BaseUrl { get; }

    /// <summary>Every line every host printed, in order (approval links included).</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    public string ConfigFile => Path.Combine(_folder.FullName, "cloneflow.json");

    public static async Task<LocalHostRig> StartAsync(int latencyMs, TimeSpan cloneDuration)
    {
        var options = new SimulatorOptions
        {
            Seed = 11,
            ClockAcceleration = 900,
            CloneDuration = cloneDuration,
            CloneSchedulingDelay = TimeSpan.FromSeconds(30),
            RestartWindow = TimeSpan.FromMinutes(1),
            AccessTokenLifetime = TimeSpan.FromDays(1),
            LatencyMs = latencyMs,
            Estate = new EstateOptions { InProgressSets = 4, UpdatesPerSet = 6, LargePayloads = 1, LargePayloadBytes = 256 * 1024 },
        };
        options.Instances.Add(new SimulatorInstanceOptions("prod") { IsProduction = true });
        options.Instances.Add(new SimulatorInstanceOptions("test"));
        var simulator = await SimulatorHost.StartAsync(options, CancellationToken.None);
        var azurite = await AzuriteHost.StartAsync();
        var folder = Directory.CreateTempSubdirectory("cloneflow-crash-");
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        var config = new
        {
            instances = new Dictionary<string, object>
            {
                ["prod"] = new { baseUrl = simulator.Instances["prod"], @protected = true, cloneName = "prod", auth = new { kind = "basic", userName = "admin", passwordSecret = "sn-prod" } },
                ["test"] = new { baseUrl = simulator.Instances["test"], cloneName = "test", auth = new { kind = "basic", userName = "admin", passwordSecret = "sn-test" } },
            },
            targets = new Dictionary<string, object>
            {
                ["test"] = new
                {
                    instance = "test",
                    source = "prod",
                    approvers = new Dictionary<string, string[]> { ["default"] = [Approver] },
                    developers = new[] { "dev@acme.example" },
                    extraTables = new[] { new { table = "ecc_agent", query = string.Empty } },
                },
            },
            policies = new { pollInterval = "00:00:01", maxPollInterval = "00:00:02", jobPollInterval = "00:00:00.300", restartTimeout = "00:05:00", cloneTimeout = "00:10:00" },
            host = new { listen = baseUrl, storageConnectionSecret = "storage", taskHub = "crash" + Guid.NewGuid().ToString("N")[..8], printApprovalLinks = true },
        };
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "cloneflow.json"), JsonSerializer.Serialize(config));
        var environment = new Dictionary<string, string>
        {
            [EnvironmentSecretProvider.VariableName("storage")] = azurite.ConnectionString,
            [EnvironmentSecretProvider.VariableName("cloneflow-approval-key")] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [EnvironmentSecretProvider.VariableName("sn-prod")] = "admin",
            [EnvironmentSecretProvider.VariableName("sn-test")] = "admin",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        return new LocalHostRig(simulator, azurite, folder, environment, baseUrl);
    }

    /// <summary>Starts a host process (the previous one must be gone).</summary>
    public async Task StartHostAsync() => _host = await ServeProcess.StartAsync(ConfigFile, _environment, Output);

    /// <summary>SIGKILLs the current host.</summary>
    public async Task KillHostAsync()
    {
        await _host!.DisposeAsync();
        _host = null;
        Output.Enqueue("--- host killed ---");
    }

    public async Task<string> StartRunAsync()
    {
        using var response = await _http.PostAsJsonAsync("api/clones", new { target = "test" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToString());
        return body.GetProperty("runId").GetString()!;
    }

    public async Task<RunView> GetAsync(string runId)
    {
        using var response = await _http.GetAsync(new Uri($"api/clones/{runId}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RunView>(JsonSerializerOptions.Web))!;
    }

    /// <summary>
    /// Approves every gate the run waits on through its printed link (as the approver would, on the
    /// page) until <paramref name="stop"/> holds or the run ends; returns the last view.
    /// </summary>
    public async Task<RunView> DriveAsync(string runId, Func<RunView, bool> stop, TimeSpan timeout, bool approve = true)
    {
        var decided = new HashSet<string>(StringComparer.Ordinal);
        var limit = DateTime.UtcNow + timeout;
        RunView? last = null;
        while (DateTime.UtcNow < limit)
        {
            try
            {
                last = await GetAsync(runId);
            }
            catch (HttpRequestException)
            {
                // The host is still starting after a restart.
                await Task.Delay(200);
                continue;
            }

            if (stop(last) || last.IsCompleted)
            {
                return last;
            }

            foreach (var gate in approve ? last.Status?.PendingApprovals ?? [] : [])
            {
                if (!decided.Contains(gate.EventName) && LinkFor(gate.Gate) is { } link)
                {
                    using var page = new ApprovalPageClient();
                    var result = await page.DecideAsync(link, approve: true, "checked", new Dictionary<string, string>(), CancellationToken.None);
                    Assert.True(result.Accepted, $"{gate.Gate}: {result.Title}: {result.Message}");
                    decided.Add(gate.EventName);
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"run {runId} did not get there in {timeout}; last: {JsonSerializer.Serialize(last)}\n{string.Join('\n', Output)}");
    }

    /// <summary>The newest approval link any host printed for the gate.</summary>
    public Uri? LinkFor(string gate) =>
        Output.Where(l => l.StartsWith($"APPROVAL {gate} ", StringComparison.Ordinal)).Select(l => new Uri(l.Split(' ')[2])).LastOrDefault();

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _http.Dispose();
        await _azurite.DisposeAsync();
        await Simulator.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
