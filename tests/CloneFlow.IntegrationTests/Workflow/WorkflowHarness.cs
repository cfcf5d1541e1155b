using System.Security.Cryptography;
using Azure.Storage.Blobs;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Secrets;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.Workflow;
using CloneFlow.Emulators;
using CloneFlow.Simulator;
using CloneFlow.Simulator.Seeding;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>
/// The real parts a run needs: the ServiceNow simulator (prod, test) on an accelerated clock,
/// Azurite for the artifacts, and the durable engine (in-process test host) running the Core
/// orchestration and activities. Notifications are recorded; approvals are answered the way the
/// approval endpoint answers them (an external event per gate and round).
/// </summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    public const string Approver = "lead@acme.example";
    public const string Requester = "dev@acme.example";

    private readonly AzuriteHost _azurite;
    private readonly DurableTaskTestHost _durable;
    private readonly ServiceNowClients _clients;

    private WorkflowHarness(SimulatorHost simulator, AzuriteHost azurite, DurableTaskTestHost durable, ServiceNowClients clients, RecordingNotifier notifier, RunArtifactStore artifacts, CloneFlowConfiguration configuration)
    {
        Simulator = simulator;
        _azurite = azurite;
        _durable = durable;
        _clients = clients;
        Notifier = notifier;
        Artifacts = artifacts;
        Configuration = configuration;
    }

    public SimulatorHost Simulator { get; }

    /// <summary>The Azurite the artifacts live on (the drills restart it).</summary>
    public AzuriteHost Azurite => _azurite;

    public DurableTaskClient Client => _durable.Client;

    public RecordingNotifier Notifier { get; }

    public RunArtifactStore Artifacts { get; }

    public CloneFlowConfiguration Configuration { get; }

    /// <summary>Signs and checks the approval links the run sends.</summary>
    public ApprovalTokenService Tokens { get; private init; } = null!;

    /// <summary>Records decisions made through those links (single use on Azurite).</summary>
    public ApprovalDecisionRecorder Recorder { get; private init; } = null!;

    /// <summary>Counts what the worker serializes into history.</summary>
    public CountingDataConverter HistoryPayloads { get; private init; } = new();

    public static async Task<WorkflowHarness> StartAsync(Action<SimulatorOptions>? simulator = null, Func<PolicyConfiguration, PolicyConfiguration>? policies = null)
    {
        var options = new SimulatorOptions
        {
            Seed = 5,
            ClockAcceleration = 900,
            CloneDuration = TimeSpan.FromMinutes(30),
            CloneSchedulingDelay = TimeSpan.FromSeconds(30),
            RestartWindow = TimeSpan.FromMinutes(1),
            AccessTokenLifetime = TimeSpan.FromDays(1),
            Estate = new EstateOptions { LargePayloads = 1, LargePayloadBytes = 300 * 1024, UpdatesPerSet = 4, InProgressSets = 3 },
        };
        options.Instances.Add(new SimulatorInstanceOptions("prod") { IsProduction = true });
        options.Instances.Add(new SimulatorInstanceOptions("test"));
        simulator?.Invoke(options);
        var sim = await SimulatorHost.StartAsync(options, CancellationToken.None);
        var azurite = await AzuriteHost.StartAsync();

        var configuration = SimulatedConfiguration.Create(sim.Instances, Approver, Requester, policies?.Invoke(SimulatedConfiguration.FastPolicies));

        var secrets = new EnvironmentSecretProvider(variable => variable.EndsWith("_PASSWORD", StringComparison.Ordinal) ? "admin" : null);
        var clients = new ServiceNowClients(configuration, secrets, new ServiceNowClientOptions { RetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(500), PageSize = 200 });
        var container = new BlobContainerClient(azurite.ConnectionString, "cloneflow-runs");
        var artifacts = new RunArtifactStore(container);
        await artifacts.EnsureContainerAsync();
        var notifier = new RecordingNotifier();
        var keys = new ApprovalSigningKeys("k1", new Dictionary<string, byte[]> { ["k1"] = RandomNumberGenerator.GetBytes(32) });
        var tokens = new ApprovalTokenService(keys, TimeProvider.System);
        var links = new ApprovalLinks(tokens, new Uri("http://127.0.0.1:7071/"));
        var converter = new CountingDataConverter();
        // The test host picks its gRPC port without reserving it; parallel test classes can collide.
        var durable = await StartWithRetryAsync(() => DurableTaskTestHost.StartAsync(
            registry => registry.AddCloneFlowTasks(),
            new DurableTaskTestHostOptions
            {
                LoggerFactory = FileLoggerProvider.FromEnvironment(),
                ConfigureServices = services =>
                {
                    services.AddSingleton(new RunServices(configuration, clients, artifacts));
                    services.AddSingleton<INotifier>(notifier);
                    services.AddSingleton(links);
                    services.Configure<Microsoft.DurableTask.Worker.DurableTaskWorkerOptions>(o => o.DataConverter = converter);
                },
            }));
        var ledgerContainer = new BlobContainerClient(azurite.ConnectionString, "cloneflow-approvals");
        await ledgerContainer.CreateIfNotExistsAsync();
        return new WorkflowHarness(sim, azurite, durable, clients, notifier, artifacts, configuration)
        {
            HistoryPayloads = converter,
            Tokens = tokens,
            Recorder = new ApprovalDecisionRecorder(tokens, new BlobApprovalTokenLedger(ledgerContainer), TimeProvider.System),
        };
    }

    private static async Task<DurableTaskTestHost> StartWithRetryAsync(Func<Task<DurableTaskTestHost>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start();
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(100 * attempt);
            }
        }
    }

    public async Task<string> StartRunAsync(bool dryRun = false)
    {
        var runId = CloneRunInput.RequestedRunId("test", DateTimeOffset.UtcNow) + "-" + Guid.NewGuid().ToString("N")[..6];
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(CloneOrchestration), new CloneRunInput(runId, "test", Requester, dryRun), new StartOrchestrationOptions(runId));
        return runId;
    }

    public async Task<RunStatus?> StatusAsync(string runId)
    {
        var instance = await Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
        return RunStatus.Parse(instance?.SerializedCustomStatus);
    }

    /// <summary>Answers every gate the run waits on with <paramref name="answer"/>, until the run finishes; returns the result.</summary>
    public async Task<CloneRunResult> RunToEndAsync(string runId, Func<WaitingGate, GateDecision?> answer, TimeSpan? timeout = null)
    {
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var limit = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (DateTime.UtcNow < limit)
        {
            var instance = await Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
            if (instance is { IsCompleted: true })
            {
                return instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed && instance.ReadOutputAs<CloneRunResult>() is { } result
                    ? result
                    : throw new InvalidOperationException($"Run {runId} ended {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorType}: {instance.FailureDetails?.ErrorMessage} {instance.FailureDetails?.StackTrace}");
            }

            foreach (var gate in (await StatusAsync(runId))?.PendingApprovals ?? [])
            {
                if (answered.Add(gate.EventName) && answer(gate) is { } decision)
                {
                    await Client.RaiseEventAsync(runId, gate.EventName, decision);
                }
            }

            await Task.Delay(200);
        }

        var last = await Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
        throw new TimeoutException($"Run {runId} did not finish ({last?.RuntimeStatus}, answered {string.Join(", ", answered)}); last status: {last?.SerializedCustomStatus}");
    }

    public static GateDecision Approve(WaitingGate gate, params (string Key, string Value)[] choices) =>
        new(new ApprovalDecision(ApprovalVerdict.Approve, Approver, $"ok for {gate.Gate}", $"{gate.EventName}:{Approver}", DateTimeOffset.UtcNow), choices.ToDictionary(c => c.Key, c => c.Value));

    public static GateDecision Reject(WaitingGate gate, string comment) =>
        new(new ApprovalDecision(ApprovalVerdict.Reject, Approver, comment, $"{gate.EventName}:{Approver}", DateTimeOffset.UtcNow));

    public async Task<T?> ReadJsonAsync<T>(string runId, string name) => await Artifacts.ReadJsonAsync<T>(runId, name);

    public async ValueTask DisposeAsync()
    {
        await _durable.DisposeAsync();
        _clients.Dispose();
        await _azurite.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
