using System.Diagnostics;
using System.Security.Cryptography;
using CloneFlow.Cli.Hosting;
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
using Microsoft.Extensions.Logging.Abstractions;

namespace CloneFlow.Benchmarks;

/// <summary>
/// The whole product stack: the simulator (here in a child process), Azurite, and the local host that
/// <c>cloneflow serve</c> runs (the Durable Task engine over Azure Storage on Azurite, with the Core
/// orchestration and activities), a recording notifier, approvals answered with external events.
/// The engine is the product's, not the in-process test host: that one runs at most one activity per
/// CPU and looks for more work every 500 ms when busy, which would be measured as CloneFlow's.
/// </summary>
internal sealed class WorkflowStack : IAsyncDisposable
{
    private readonly LocalHost _host;

    private WorkflowStack(SimulatorProcess simulator, LocalHost host, CountingDataConverter converter, CloneFlowConfiguration configuration)
    {
        Simulator = simulator;
        _host = host;
        History = converter;
        Configuration = configuration;
    }

    public SimulatorProcess Simulator { get; }

    public RunArtifactStore Artifacts => _host.Artifacts;

    public CountingDataConverter History { get; }

    public CloneFlowConfiguration Configuration { get; }

    public DurableTaskClient Client => _host.Client;

    public IServiceNowClients Clients => _host.Clients;

    public static async Task<WorkflowStack> StartAsync(string storageConnectionString, SimulatorSpec spec, int concurrency, CancellationToken cancellationToken)
    {
        var sim = await SimulatorProcess.StartAsync(spec, cancellationToken);
        try
        {
            var simulated = SimulatedConfiguration.Create(sim.Instances, Approver, "dev@acme.example");
            // A task hub of its own per stack: runs of earlier stacks never wake up in this one.
            var configuration = simulated with { Host = simulated.Host with { TaskHub = "bench" + Guid.NewGuid().ToString("N")[..12] } };
            var secrets = new EnvironmentSecretProvider(variable => variable.EndsWith("_PASSWORD", StringComparison.Ordinal) ? "admin" : null);
            var keys = new ApprovalSigningKeys("k1", new Dictionary<string, byte[]> { ["k1"] = RandomNumberGenerator.GetBytes(32) });
            var converter = new CountingDataConverter();
            var host = await LocalHost.StartAsync(
                new LocalHostOptions
                {
                    Configuration = configuration,
                    StorageConnectionString = storageConnectionString,
                    Secrets = secrets,
                    SigningKeys = keys,
                    Notifier = new RecordingNotifier(),
                    Logs = NullLoggerFactory.Instance,
                    Listen = new Uri("http://127.0.0.1:0/"),
                    ClientOptions = ClientOptions(concurrency),
                    WorkerId = "bench-" + Environment.ProcessId,
                    DataConverter = converter,
                },
                cancellationToken);
            return new WorkflowStack(sim, host, converter, configuration);
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

            // A dry run asks one question (the clone gate); once it is answered, asking every 50 ms only
            // loads storage and the engine during the export being measured (its times come from the
            // run's own timeline, not from this loop).
            await Task.Delay(dryRun && answered.Count > 0 ? 500 : 50, cancellationToken);
        }

        throw new TimeoutException($"Run {runId} did not finish within {timeout}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
