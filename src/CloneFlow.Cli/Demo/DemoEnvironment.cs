using System.Security.Cryptography;
using CloneFlow.Cli.Hosting;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Secrets;
using CloneFlow.Emulators;
using CloneFlow.Simulator;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Cli.Demo;

/// <summary>
/// Everything the demo runs on, started in this process: Azurite, the ServiceNow simulator with a
/// seeded prod/test/dev estate on an accelerated clock, and the local host (the same durable engine
/// over Azure Storage, HTTP API and approval pages as <c>cloneflow serve</c>). Approval links are
/// real signed tokens, decided on the real approval page.
/// </summary>
internal sealed class DemoEnvironment : IAsyncDisposable
{
    public const string Approver = "platform.lead@acme.example";

    private readonly AzuriteHost _azurite;
    private readonly ILoggerFactory _logs;

    private DemoEnvironment(AzuriteHost azurite, SimulatorHost simulator, LocalHost host, RecordingNotifier notifier, ILoggerFactory logs)
    {
        _azurite = azurite;
        Simulator = simulator;
        Host = host;
        Notifier = notifier;
        _logs = logs;
    }

    public SimulatorHost Simulator { get; }

    public LocalHost Host { get; }

    /// <summary>What CloneFlow sent (the approver's links among it).</summary>
    public RecordingNotifier Notifier { get; }

    public static async Task<DemoEnvironment> StartAsync(double clockAcceleration, int port, string cloneDriver, TextWriter log, CancellationToken cancellationToken)
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
        var configuration = ConfigurationValidator.EnsureValid(Configure(simulator, port, cloneDriver));
        var notifier = new RecordingNotifier();
        var logs = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.None));
        var host = await LocalHost.StartAsync(
            new LocalHostOptions
            {
                Configuration = configuration,
                StorageConnectionString = azurite.ConnectionString,
                // The simulator's accounts are admin/admin.
                Secrets = new EnvironmentSecretProvider(variable => variable.EndsWith("_PASSWORD", StringComparison.Ordinal) ? "admin" : null),
                SigningKeys = new ApprovalSigningKeys("demo", new Dictionary<string, byte[]> { ["demo"] = RandomNumberGenerator.GetBytes(32) }),
                Notifier = notifier,
                Logs = logs,
                ClientOptions = new Core.ServiceNow.ServiceNowClientOptions { RetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromSeconds(1) },
                WorkerId = "cloneflow-demo",
            },
            cancellationToken);
        return new DemoEnvironment(azurite, simulator, host, notifier, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _logs.Dispose();
        await Simulator.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private static CloneFlowConfiguration Configure(SimulatorHost simulator, int port, string cloneDriver)
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
                    Cloning = new CloneDriverConfiguration { Driver = cloneDriver },
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
            Host = new LocalHostConfiguration
            {
                Listen = new Uri($"http://127.0.0.1:{port}/"),
                // A fresh hub per demo: nothing left over from an earlier one.
                TaskHub = "demo" + Guid.NewGuid().ToString("N")[..12],
            },
        };
    }
}
