using System.Security.Cryptography;
using Azure.Storage.Blobs;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Secrets;
using CloneFlow.Emulators;
using CloneFlow.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace CloneFlow.Cli.Demo;

/// <summary>
/// Everything the demo runs on, started in this process: Azurite for the artifacts, the ServiceNow
/// simulator with a seeded prod/test/dev estate on an accelerated clock, and the durable engine with
/// CloneFlow's workflow. Approval links are real signed tokens checked by the same recorder the
/// approval endpoint uses.
/// </summary>
internal sealed class DemoEnvironment : IAsyncDisposable
{
    public const string Approver = "platform.lead@acme.example";
    public const string Requester = "release.manager@acme.example";

    private readonly AzuriteHost _azurite;
    private readonly ServiceNowClients _clients;

    private DemoEnvironment(AzuriteHost azurite, SimulatorHost simulator, InProcessEngine engine, ServiceNowClients clients, RecordingNotifier notifier, RunArtifactStore artifacts, CloneRuns runs, ApprovalDecisionRecorder recorder, CloneFlowConfiguration configuration)
    {
        _azurite = azurite;
        Simulator = simulator;
        Engine = engine;
        _clients = clients;
        Notifier = notifier;
        Artifacts = artifacts;
        Runs = runs;
        Recorder = recorder;
        Configuration = configuration;
    }

    public SimulatorHost Simulator { get; }

    public InProcessEngine Engine { get; }

    public RecordingNotifier Notifier { get; }

    public RunArtifactStore Artifacts { get; }

    public CloneRuns Runs { get; }

    public ApprovalDecisionRecorder Recorder { get; }

    public CloneFlowConfiguration Configuration { get; }

    public ApprovalTokenService Tokens { get; private init; } = null!;

    /// <summary>The approval page handlers over this environment.</summary>
    public Core.Http.ApprovalPages Pages() => new(Runs, Tokens, Recorder, Artifacts);

    public static async Task<DemoEnvironment> StartAsync(double clockAcceleration, Uri approvalBaseUrl, TextWriter log, CancellationToken cancellationToken)
    {
        var azurite = await AzuriteHost.StartAsync(new AzuriteOptions { Log = log }, cancellationToken);
        var simulatorOptions = new SimulatorOptions
        {
            Seed = 1,
            ClockAcceleration = clockAcceleration,
            // Basic auth sessions outlive the accelerated clock's token lifetimes.
            AccessTokenLifetime = TimeSpan.FromDays(1),
        };
        var simulator = await SimulatorHost.StartAsync(simulatorOptions, cancellationToken);
        var configuration = ConfigurationValidator.EnsureValid(Configure(simulator));
        var secrets = new EnvironmentSecretProvider(variable => variable.EndsWith("_PASSWORD", StringComparison.Ordinal) ? "admin" : Environment.GetEnvironmentVariable(variable));
        var clients = new ServiceNowClients(configuration, secrets, new Core.ServiceNow.ServiceNowClientOptions { RetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromSeconds(1) });
        var container = new BlobContainerClient(azurite.ConnectionString, "cloneflow-runs");
        var artifacts = new RunArtifactStore(container);
        await artifacts.EnsureContainerAsync(cancellationToken);
        var ledger = new BlobApprovalTokenLedger(new BlobContainerClient(azurite.ConnectionString, "cloneflow-approvals"));
        await new BlobContainerClient(azurite.ConnectionString, "cloneflow-approvals").CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var tokens = new ApprovalTokenService(new ApprovalSigningKeys("demo", new Dictionary<string, byte[]> { ["demo"] = RandomNumberGenerator.GetBytes(32) }), TimeProvider.System);
        var links = new ApprovalLinks(tokens, approvalBaseUrl);
        var notifier = new RecordingNotifier();
        var engine = await InProcessEngine.StartAsync(services =>
        {
            services.AddSingleton(new RunServices(configuration, clients, artifacts));
            services.AddSingleton<INotifier>(notifier);
            services.AddSingleton(links);
        }, cancellationToken);
        var runs = new CloneRuns(engine.Client, configuration);
        return new DemoEnvironment(azurite, simulator, engine, clients, notifier, artifacts, runs, new ApprovalDecisionRecorder(tokens, ledger, TimeProvider.System), configuration) { Tokens = tokens };
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        _clients.Dispose();
        await Simulator.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private static CloneFlowConfiguration Configure(SimulatorHost simulator)
    {
        InstanceConfiguration Instance(string name, bool isProtected) => new()
        {
            BaseUrl = simulator.Instances[name],
            Protected = isProtected,
            CloneName = name,
            Auth = new AuthConfiguration { Kind = "basic", UserName = "admin", PasswordSecret = $"servicenow-{name}-password" },
        };

        return new CloneFlowConfiguration
        {
            Instances = new Dictionary<string, InstanceConfiguration>
            {
                ["prod"] = Instance("prod", isProtected: true),
                ["test"] = Instance("test", isProtected: false),
                ["dev"] = Instance("dev", isProtected: false),
            },
            Targets = new Dictionary<string, TargetConfiguration>
            {
                ["test"] = new()
                {
                    Instance = "test",
                    Source = "prod",
                    Approvers = new Dictionary<string, IReadOnlyList<string>> { ["default"] = [Approver] },
                    Developers = ["dev.team@acme.example"],
                    ExtraTables = [new ExtraTableConfiguration { Table = "ecc_agent" }],
                    PostCloneChecks =
                    [
                        new PostCloneCheckConfiguration { Name = "Outbound e-mail stays off", Property = "glide.email.smtp.active", Expected = "false" },
                        new PostCloneCheckConfiguration { Name = "Inbound e-mail stays off", Property = "glide.email.read.active", Expected = "false" },
                    ],
                },
            },
            Policies = new PolicyConfiguration
            {
                PollInterval = TimeSpan.FromSeconds(2),
                MaxPollInterval = TimeSpan.FromSeconds(4),
                JobPollInterval = TimeSpan.FromMilliseconds(500),
                CloneTimeout = TimeSpan.FromMinutes(10),
                RestartTimeout = TimeSpan.FromMinutes(5),
            },
        };
    }
}
