using Azure.Core;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Secrets;
using CloneFlow.Emulators;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;

namespace CloneFlow.Cli.Hosting;

/// <summary>
/// A <see cref="LocalHost"/> built from a configuration file: its secrets, its storage (the named
/// connection string, or Azurite), its signing key and its notification channels.
/// </summary>
internal sealed class ConfiguredHost : IAsyncDisposable
{
    private readonly AzuriteHost? _azurite;
    private readonly ILoggerFactory _logs;
    private readonly HttpClient _notifications;

    private ConfiguredHost(LocalHost host, AzuriteHost? azurite, ILoggerFactory logs, HttpClient notifications)
    {
        Host = host;
        _azurite = azurite;
        _logs = logs;
        _notifications = notifications;
    }

    public LocalHost Host { get; }

    /// <summary>Where the runs' state lives and what a crash can still lose, for the operator.</summary>
    public required string StateDescription { get; init; }

    /// <summary>
    /// Starts the host the configuration describes, writing approval lines (when configured) to
    /// <paramref name="output"/> and logs to <paramref name="log"/>. Without a named storage account,
    /// Azurite keeps the state in <paramref name="stateFolder"/>, so runs outlive the process there too.
    /// </summary>
    public static async Task<ConfiguredHost> StartAsync(CloneFlowConfiguration configuration, string stateFolder, TextWriter output, TextWriter log, Uri? listen, CancellationToken cancellationToken)
    {
        var settings = configuration.Host;
        var credential = HostSecrets.Credential();
        var secrets = HostSecrets.For(settings, credential);
        var keys = await ApprovalSigningKeys.FromSecretsAsync(
            secrets,
            new ApprovalSigningKeyOptions { CurrentKeyId = "k1", KeySecretNames = new Dictionary<string, string> { ["k1"] = settings.ApprovalKeySecret } },
            cancellationToken);

        AzuriteHost? azurite = null;
        string storage;
        string state;
        var durability = StorageDurability.Immediate;
        if (settings.StorageConnectionSecret is { } storageSecret)
        {
            storage = await secrets.GetSecretAsync(storageSecret, cancellationToken);
            var emulated = storage.Contains("devstoreaccount1", StringComparison.Ordinal);
            durability = emulated ? new StorageDurability(AzuriteHost.UnsavedWindow) : durability;
            state = emulated
                ? $"state in the storage emulator named by '{storageSecret}': it may lose its last {AzuriteHost.UnsavedWindow.TotalSeconds:F0} s if it dies, so clone requests and recorded approvals wait that long"
                : $"state in the storage account named by '{storageSecret}'";
        }
        else
        {
            azurite = await AzuriteHost.StartAsync(new AzuriteOptions { Log = log, DataFolder = Path.Combine(stateFolder, "azurite") }, cancellationToken);
            storage = azurite.ConnectionString;
            durability = new StorageDurability(AzuriteHost.UnsavedWindow);
            state = $"state in {azurite.DataFolder} (Azurite pid {azurite.ProcessId}, a process of its own that outlives this host; "
                + $"a machine crash may lose its last {AzuriteHost.UnsavedWindow.TotalSeconds:F0} s, so clone requests and recorded approvals wait that long; "
                + "for runs that matter, name a storage account in host.storageConnectionSecret)";
        }

        var logs = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            })
            .AddFilter("CloneFlow", LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("DurableTask", LogLevel.Warning)
            .AddFilter("System", LogLevel.Warning)
            .SetMinimumLevel(LogLevel.Warning)
            .Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        var http = new HttpClient();
        try
        {
            var notifier = Notifier(configuration, secrets, credential, output, logs, http);
            var host = await LocalHost.StartAsync(
                new LocalHostOptions { Configuration = configuration, StorageConnectionString = storage, Secrets = secrets, SigningKeys = keys, Notifier = notifier, Logs = logs, Listen = listen, Durability = durability },
                cancellationToken);
            return new ConfiguredHost(host, azurite, logs, http) { StateDescription = state };
        }
        catch
        {
            http.Dispose();
            logs.Dispose();
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Whether some channel delivers approval links to approvers.</summary>
    public static bool DeliversApprovalLinks(LocalHostConfiguration settings) =>
        settings.PrintApprovalLinks || settings.TeamsWebhookSecret is not null || settings.MailSender is not null;

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _notifications.Dispose();
        _logs.Dispose();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    private static CompositeNotifier Notifier(CloneFlowConfiguration configuration, ISecretProvider secrets, Lazy<TokenCredential> credential, TextWriter output, ILoggerFactory logs, HttpClient http)
    {
        var settings = configuration.Host;
        var channels = new List<INotifier> { new LoggingNotifier(logs.CreateLogger<LoggingNotifier>()) };
        if (settings.PrintApprovalLinks)
        {
            channels.Add(new ConsoleApprovalNotifier(output));
        }

        if (settings.TeamsWebhookSecret is { } webhook)
        {
            channels.Add(new TeamsWorkflowNotifier(http, secrets, new TeamsWorkflowOptions { WebhookSecretName = webhook }, logs.CreateLogger<TeamsWorkflowNotifier>()));
        }

        if (settings.MailSender is { } sender)
        {
            channels.Add(new GraphMailNotifier(http, credential.Value, new GraphMailOptions { Sender = sender }, logs.CreateLogger<GraphMailNotifier>()));
        }

        return new CompositeNotifier(channels, logs.CreateLogger<CompositeNotifier>());
    }
}
