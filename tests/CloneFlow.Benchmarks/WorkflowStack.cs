using System.Diagnostics;
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
using CloneFlow.IntegrationTests.Workflow;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CloneFlow.Benchmarks;

/// <summary>
/// The whole product stack the way the integration tests' WorkflowHarness builds it: the simulator
/// (here in a child process), Azurite, the durable engine (in-process test host) running the Core
/// orchestration and activities, a recording notifier, approvals answered with external events.
/// </summary>
internal sealed class WorkflowStack : IAsyncDisposable
{
    private readonly DurableTaskTestHost _durable;
    private readonly ServiceNowClients _clients;

    private WorkflowStack(SimulatorProcess simulator, DurableTaskTestHost durable, ServiceNowClients clients, RunArtifactStore artifacts, CountingDataConverter converter, CloneFlowConfiguration configuration)
    {
        Simulator = simulator;
        _durable = durable;
        _clients = clients;
        Artifacts = artifacts;
        History = converter;
        Configuration = configuration;
    }

    public SimulatorProcess Simulator { get; }

    public RunArtifactStore Artifacts { get; }

    public CountingDataConverter History { get; }

    public CloneFlowConfiguration Configuration { get; }

    public DurableTaskClient Client => _durable.Client;

    public IServiceNowClients Clients => _clients;

    public static async Task<WorkflowStack> StartAsync(string storageConnectionString, SimulatorSpec spec, int concurrency, CancellationToken cancellationToken)
    {
        var sim = await SimulatorProcess.StartAsync(spec, cancellationToken);
        try
        {
            var configuration = SimulatedConfiguration.Create(sim.Instances, Approver, "dev@acme.example");
            var secrets = new EnvironmentSecretProvider(variable => variable.EndsWith("_PASSWORD", StringComparison.Ordinal) ? "admin" : null);
            var clients = new ServiceNowClients(configuration, secrets, ClientOptions(concurrency));
            var container = new BlobContainerClient(storageConnectionString, "bench-" + Guid.NewGuid().ToString("N")[..12]);
            var artifacts = new RunArtifactStore(container);
            await artifacts.EnsureContainerAsync(cancellationToken);
            var keys = new ApprovalSigningKeys("k1", new Dictionary<string, byte[]> { ["k1"] = RandomNumberGenerator.GetBytes(32) });
            var links = new ApprovalLinks(new ApprovalTokenService(keys, TimeProvider.System), new Uri("http://127.0.0.1:7071/"));
            var converter = new CountingDataConverter();
            var durable = await DurableTaskTestHost.StartAsync(
                registry => registry.AddCloneFlowTasks(),
                new DurableTaskTestHostOptions
                {
                    LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                    ConfigureServices = services =>
                    {
                        services.AddSingleton(new RunServices(configuration, clients, artifacts));
                        services.AddSingleton<INotifier>(new RecordingNotifier());
                        services.AddSingleton(links);
                        services.Configure<Microsoft.DurableTask.Worker.DurableTaskWorkerOptions>(o => o.DataConverter = converter);
                    },
                },
                cancellationToken);
            return new WorkflowStack(sim, durable, clients, artifacts, converter, configuration);
        }
        catch
        {
            await sim.DisposeAsync();
            throw;
        }
    }

    public const string Approver = "lead@acme.example";

    /// <summary>The product's client defaults, with the concurrency limit under test and short retry delays.</summary>
    public static ServiceNowClientOptions ClientOptions(int concurrency) => new()
    {
        MaxConcurrentRequests = concurrency,
        RetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>Starts a run, approves every gate as soon as it is pending, and waits for the end.</summary>
    public async Task<(CloneRunResult Result, TimeSpan Elapsed, RunReport? Report)> RunAsync(bool dryRun, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var runId = CloneRunInput.RequestedRunId("test", DateTimeOffset.UtcNow) + "-" + Guid.NewGuid().ToString("N")[..6];
        var stopwatch = Stopwatch.StartNew();
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(CloneOrchestration), new CloneRunInput(runId, "test", "dev@acme.example", dryRun), new StartOrchestrationOptions(runId), cancellationToken);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        while (stopwatch.Elapsed < timeout)
        {
            var instance = await Client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
            if (instance is { IsCompleted: true })
            {
                stopwatch.Stop();
                var result = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed && instance.ReadOutputAs<CloneRunResult>() is { } r
                    ? r
                    : throw new InvalidOperationException($"Run {runId} ended {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage}");
                var report = await Artifacts.ReadJsonAsync<RunReport>(runId, "report.json", cancellationToken);
                return (result, stopwatch.Elapsed, report);
            }

            var status = RunStatus.Parse(instance?.SerializedCustomStatus);
            foreach (var gate in status?.PendingApprovals ?? [])
            {
                if (answered.Add(gate.EventName))
                {
                    var decision = new GateDecision(
                        new ApprovalDecision(ApprovalVerdict.Approve, Approver, $"benchmark approves {gate.Gate}", $"{gate.EventName}:{Approver}", DateTimeOffset.UtcNow),
                        new Dictionary<string, string> { ["default"] = "accept" });
                    await Client.RaiseEventAsync(runId, gate.EventName, decision, cancellationToken);
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"Run {runId} did not finish within {timeout}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _durable.DisposeAsync();
        _clients.Dispose();
        await Simulator.DisposeAsync();
    }
}
