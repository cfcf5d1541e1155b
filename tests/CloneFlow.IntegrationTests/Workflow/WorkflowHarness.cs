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

/// <summary>What a person answers at a gate: approve or reject, a comment, and the gate's inputs by name (a preview problem's sys_id for its accept/skip).</summary>
/// <param name="Approve">Approve (or reject).</param>
/// <param name="Comment">The comment.</param>
/// <param name="Inputs">The page's fields to fill in.</param>
internal sealed record GateAnswer(bool Approve, string Comment, IReadOnlyDictionary<string, string> Inputs);

/// <summary>
/// The real parts a run needs: the ServiceNow simulator (prod, test) on an accelerated clock,
/// Azurite for the artifacts, and the durable engine (in-process test host) running the Core
/// orchestration and activities. Notifications are recorded; gates are answered only as people
/// answer them: through the link the run sent, on the approval page over HTTP (its anti-forgery
/// form, its checks), and cancels go through the HTTP API.
/// </summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    public const string Approver = "lead@acme.example";
    public const string Requester = "dev@acme.example";

    private readonly AzuriteHost _azurite;
    private readonly DurableTaskTestHost _durable;
    private readonly ServiceNowClients _clients;
    private Http.ApprovalServer? _pages;

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

    /// <summary>The run services the activities get (the page's input checks use them too).</summary>
    public RunServices Services { get; private init; } = null!;

    /// <summary>Every answer the approval page gave the harness, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(WaitingGate Gate, Core.Http.ApprovalPageResult Page)> PageAnswers { get; } = new();

    /// <summary>When true, a refusal from the page is noted in <see cref="PageAnswers"/> and the run goes on; otherwise it fails the test.</summary>
    public bool ExpectRefusals { get; set; }

    /// <summary>Counts what the worker serializes into history.</summary>
    public CountingDataConverter HistoryPayloads { get; private init; } = new();

    public static async Task<WorkflowHarness> StartAsync(Action<SimulatorOptions>? simulator = null, Func<PolicyConfiguration, PolicyConfiguration>? policies = null, Func<TargetConfiguration, TargetConfiguration>? target = null)
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
        if (target is not null)
        {
            configuration = configuration with { Targets = new Dictionary<string, TargetConfiguration> { ["test"] = target(configuration.Targets["test"]) } };
        }

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
        var runServices = new RunServices(configuration, clients, artifacts);
        // The test host picks its gRPC port without reserving it; parallel test classes can collide.
        var durable = await StartWithRetryAsync(() => DurableTaskTestHost.StartAsync(
            registry => registry.AddCloneFlowTasks(),
            new DurableTaskTestHostOptions
            {
                LoggerFactory = FileLoggerProvider.FromEnvironment(),
                ConfigureServices = services =>
                {
                    services.AddSingleton(runServices);
                    services.AddSingleton<INotifier>(notifier);
                    services.AddSingleton(links);
                    services.Configure<Microsoft.DurableTask.Worker.DurableTaskWorkerOptions>(o => o.DataConverter = converter);
                },
            }));
        var ledgerContainer = new BlobContainerClient(azurite.ConnectionString, "cloneflow-approvals");
        await ledgerContainer.CreateIfNotExistsAsync();
        var harness = new WorkflowHarness(sim, azurite, durable, clients, notifier, artifacts, configuration)
        {
            HistoryPayloads = converter,
            Tokens = tokens,
            Recorder = new ApprovalDecisionRecorder(tokens, new BlobApprovalTokenLedger(ledgerContainer), TimeProvider.System),
            Services = runServices,
        };
        harness._pages = await Http.ApprovalServer.StartAsync(harness);
        return harness;
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

    /// <summary>The approval pages and the HTTP API, served over loopback.</summary>
    public Http.ApprovalServer Pages => _pages!;

    public async Task<string> StartRunAsync(bool dryRun = false, string requestedBy = Requester)
    {
        var runId = CloneRunInput.RequestedRunId("test", DateTimeOffset.UtcNow) + "-" + Guid.NewGuid().ToString("N")[..6];
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(CloneOrchestration), new CloneRunInput(runId, "test", requestedBy, dryRun), new StartOrchestrationOptions(runId));
        return runId;
    }

    /// <summary>Cancels the run through the HTTP API, as <c>cloneflow cancel</c> does; returns the HTTP status.</summary>
    public Task<System.Net.HttpStatusCode> CancelAsync(string runId) => Pages.CancelAsync(runId);

    public async Task<RunStatus?> StatusAsync(string runId)
    {
        var instance = await Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
        return RunStatus.Parse(instance?.SerializedCustomStatus);
    }

    /// <summary>
    /// Answers every gate the run waits on with <paramref name="answer"/> (null: leave it), through the
    /// link the run sent the approver, on the approval page, until the run finishes; returns the result.
    /// </summary>
    public async Task<CloneRunResult> RunToEndAsync(string runId, Func<WaitingGate, GateAnswer?> answer, TimeSpan? timeout = null)
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
                // The gate shows before its link is sent: answer once the link is there.
                if (!answered.Contains(gate.EventName) && Pages.LinkFor(this, runId, gate) is { } link)
                {
                    answered.Add(gate.EventName);
                    if (answer(gate) is { } given)
                    {
                        await AnswerOnPageAsync(gate, link, given);
                    }
                }
            }

            await Task.Delay(200);
        }

        var last = await Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
        throw new TimeoutException($"Run {runId} did not finish ({last?.RuntimeStatus}, answered {string.Join(", ", answered)}); last status: {last?.SerializedCustomStatus}");
    }

    /// <summary>Decides on the page behind <paramref name="link"/> as the approver would.</summary>
    public async Task<Core.Http.ApprovalPageResult> AnswerOnPageAsync(WaitingGate gate, Uri link, GateAnswer given)
    {
        using var page = new Core.Http.ApprovalPageClient();
        var result = await page.DecideAsync(link, given.Approve, given.Comment, given.Inputs, CancellationToken.None);
        PageAnswers.Enqueue((gate, result));
        return result.Accepted || ExpectRefusals
            ? result
            : throw new InvalidOperationException($"The approval page refused the answer to the {gate.Gate} gate (round {gate.Round}): {result.Status} {result.Title}: {result.Message}");
    }

    public static GateAnswer Approve(WaitingGate gate, params (string Key, string Value)[] inputs) =>
        new(true, $"ok for {gate.Gate}", inputs.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal));

    public static GateAnswer Reject(WaitingGate gate, string comment) => new(false, comment, new Dictionary<string, string>());

    public async Task<T?> ReadJsonAsync<T>(string runId, string name) => await Artifacts.ReadJsonAsync<T>(runId, name);

    public async ValueTask DisposeAsync()
    {
        if (_pages is not null)
        {
            await _pages.DisposeAsync();
        }

        await _durable.DisposeAsync();
        _clients.Dispose();
        await _azurite.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
