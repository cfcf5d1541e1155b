using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using CloneFlow.Cli.Commands;
using CloneFlow.Core.Http;
using CloneFlow.Core.Secrets;
using CloneFlow.Emulators;
using CloneFlow.Simulator;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Cli.Tests.Hosting;

/// <summary>
/// Everything outside the host that a crash must not disturb: the ServiceNow simulator (prod, test)
/// over HTTP in this process, a configuration file and the secrets in the host's environment.
/// Hosts come and go as <c>cloneflow serve</c> processes on one fixed address, so approval links
/// sent by a killed host still lead to the next one. Storage is the host's own: the Azurite that
/// <c>serve</c> starts with its data beside the configuration, which a crash may or may not take down too.
/// </summary>
internal sealed class LocalHostRig : IAsyncDisposable
{
    public const string Approver = "lead@acme.example";

    private readonly DirectoryInfo _folder;
    private readonly Dictionary<string, string> _environment;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Task<bool>> _deciding = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Gate, int OutputLine)> _recorded = new();
    private readonly ConcurrentQueue<string> _refusals = new();
    private ServeProcess? _host;

    private LocalHostRig(SimulatorHost simulator, DirectoryInfo folder, Dictionary<string, string> environment, Uri baseUrl)
    {
        Simulator = simulator;
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

    /// <summary>The pid file of the host's Azurite (<c>.cloneflow/azurite</c> beside the configuration).</summary>
    private string AzuriteFolder => Path.Combine(_folder.FullName, ".cloneflow", "azurite");

    private string AzuritePidFile => Path.Combine(AzuriteFolder, AzuriteHost.PidFileName);

    /// <summary>The pid of the Azurite serving the host's state, or null when none was started.</summary>
    public int? AzuritePid => File.Exists(AzuritePidFile) && int.TryParse(File.ReadAllText(AzuritePidFile).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;

    /// <summary>Each gate the page answered "recorded" for, with how many output lines the hosts had printed by then.</summary>
    public IReadOnlyCollection<(string Gate, int OutputLine)> Recorded => _recorded;

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
            host = new { listen = baseUrl, taskHub = "crash" + Guid.NewGuid().ToString("N")[..8], printApprovalLinks = true },
        };
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "cloneflow.json"), JsonSerializer.Serialize(config));
        var environment = new Dictionary<string, string>
        {
            [EnvironmentSecretProvider.VariableName("cloneflow-approval-key")] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [EnvironmentSecretProvider.VariableName("sn-prod")] = "admin",
            [EnvironmentSecretProvider.VariableName("sn-test")] = "admin",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        // The host must start its own Azurite, whatever storage the test run was pointed at.
        environment[AzuriteHost.StorageEnvironmentVariable] = string.Empty;
        return new LocalHostRig(simulator, folder, environment, baseUrl);
    }

    /// <summary>Starts a host process (the previous one must be gone).</summary>
    public async Task StartHostAsync() => _host = await ServeProcess.StartAsync(ConfigFile, _environment, Output);

    /// <summary>SIGKILLs the current host's process group and, with <paramref name="withStorage"/>, its Azurite too (as a machine crash would).</summary>
    public async Task KillHostAsync(bool withStorage)
    {
        await _host!.DisposeAsync();
        _host = null;
        if (withStorage)
        {
            await KillAzuriteAsync();
        }

        Output.Enqueue(withStorage ? "--- host and storage killed ---" : "--- host killed ---");
    }

    /// <summary>SIGKILLs the host's Azurite, as a machine crash would, and waits until it no longer serves.</summary>
    private Task KillAzuriteAsync() => AzuriteHost.CrashAsync(AzuriteFolder);

    public async Task<string> StartRunAsync()
    {
        using var response = await _http.PostAsJsonAsync("api/clones", new { target = "test" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToString());
        return body.GetProperty("runId").GetString()!;
    }

    /// <summary>The run's report as the API serves it.</summary>
    public async Task<JsonElement> ReportAsync(string runId)
    {
        using var response = await _http.GetAsync(new Uri($"api/clones/{runId}/report", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<RunView> GetAsync(string runId)
    {
        using var response = await _http.GetAsync(new Uri($"api/clones/{runId}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RunView>(JsonSerializerOptions.Web))!;
    }

    /// <summary>
    /// Approves every gate the run waits on through its printed link (as the approver would, on the
    /// page) until <paramref name="stop"/> holds or the run ends; returns the last view. The page takes
    /// a few seconds to say "recorded" (until the storage cannot lose the decision), so decisions go
    /// on beside the watching. A gate the page answered "recorded" for is never decided again: the run
    /// must move on without it. With <paramref name="stopAfterApproving"/>, returns the moment the page
    /// records that gate.
    /// </summary>
    public async Task<RunView> DriveAsync(string runId, Func<RunView, bool> stop, TimeSpan timeout, bool approve = true, string? stopAfterApproving = null)
    {
        var limit = DateTime.UtcNow + timeout;
        RunView? last = null;
        while (DateTime.UtcNow < limit)
        {
            Assert.True(_refusals.IsEmpty, string.Join('\n', _refusals));
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
                if (!_deciding.ContainsKey(gate.EventName) && LinkFor(gate.Gate) is { } link)
                {
                    var decision = _deciding[gate.EventName] = DecideAsync(gate, link);
                    if (gate.Gate == stopAfterApproving && await decision)
                    {
                        return last;
                    }
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"run {runId} did not get there in {timeout}; last: {JsonSerializer.Serialize(last)}\n{string.Join('\n', Output)}");
    }

    /// <summary>One decision on the page; true once it says "recorded". Cut off by a crash, the gate may be decided again.</summary>
    private async Task<bool> DecideAsync(Core.Runs.WaitingGate gate, Uri link)
    {
        try
        {
            using var page = new ApprovalPageClient();
            var result = await page.DecideAsync(link, approve: true, "checked", new Dictionary<string, string>(), CancellationToken.None);
            if (result.Accepted)
            {
                _recorded.Enqueue((gate.Gate, Output.Count));
                return true;
            }

            // Decided before the crash cut the answer off: the page passes the recorded decision on again.
            if (result.Status == HttpStatusCode.Conflict && result.Title.StartsWith("Already decided", StringComparison.Ordinal))
            {
                return true;
            }

            _refusals.Enqueue($"{gate.Gate}: {result.Status} {result.Title}: {result.Message}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            // The host died mid-answer: nothing was said, so the decision may not be kept.
        }

        _deciding.TryRemove(gate.EventName, out _);
        return false;
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
        await KillAzuriteAsync();
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
