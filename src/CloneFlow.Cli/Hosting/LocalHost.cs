using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Http;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Secrets;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Cli.Hosting;

/// <summary>What a local host runs with.</summary>
internal sealed record LocalHostOptions
{
    /// <summary>The validated configuration (instances, targets, policies, host settings).</summary>
    public required CloneFlowConfiguration Configuration { get; init; }

    /// <summary>The storage account for the durable state and the artifacts.</summary>
    public required string StorageConnectionString { get; init; }

    /// <summary>Where ServiceNow credentials and the other named secrets come from.</summary>
    public required ISecretProvider Secrets { get; init; }

    /// <summary>The approval signing keys (stable across restarts, or links sent before a crash stop working).</summary>
    public required ApprovalSigningKeys SigningKeys { get; init; }

    /// <summary>The notification channels.</summary>
    public required INotifier Notifier { get; init; }

    /// <summary>Logs of the host and the engine.</summary>
    public required ILoggerFactory Logs { get; init; }

    /// <summary>Where to listen; port 0 picks a free port. Defaults to the configuration's <c>host.listen</c>.</summary>
    public Uri? Listen { get; init; }

    /// <summary>Client settings (retries, paging) for every instance.</summary>
    public ServiceNowClientOptions ClientOptions { get; init; } = new();

    /// <summary>This host's identity in the task hub's leases.</summary>
    public string WorkerId { get; init; } = $"cloneflow-{Environment.MachineName}";

    /// <summary>How long the storage may lose what it acknowledged (Azurite saves on a timer); the clone request and every recorded approval wait that long.</summary>
    public StorageDurability Durability { get; init; } = StorageDurability.Immediate;

    /// <summary>How orchestration inputs, outputs and events are serialized; null for the engine's JSON default (the benchmarks count history bytes with their own).</summary>
    public DataConverter? DataConverter { get; init; }
}

/// <summary>
/// CloneFlow without Azure: the Core orchestration and activities on the Durable Task engine over
/// Azure Storage (Azurite or a real account), and the same HTTP API and approval pages as the
/// Functions app, on one loopback address. A run lives in storage, not in this process: a host
/// started after a crash resumes every run where it stopped.
/// </summary>
internal sealed class LocalHost : IAsyncDisposable
{
    /// <summary>The blob container holding the approval links' single-use ledger.</summary>
    public const string LedgerContainer = "cloneflow-approvals";

    /// <summary>The blob container holding the run artifacts.</summary>
    public const string ArtifactsContainer = "cloneflow-runs";

    private readonly DurableBackend _backend;
    private readonly WebApplication _app;
    private readonly ServiceNowClients _clients;

    private LocalHost(DurableBackend backend, WebApplication app, ServiceNowClients clients, Uri baseUrl)
    {
        _backend = backend;
        _app = app;
        _clients = clients;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the API and the approval pages answer.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The engine's client.</summary>
    public DurableTaskClient Client => _app.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>Run control over <see cref="Client"/>.</summary>
    public CloneRuns Runs => _app.Services.GetRequiredService<CloneRuns>();

    /// <summary>The host's ServiceNow clients (one per configured instance).</summary>
    public IServiceNowClients Clients => _clients;

    /// <summary>The run artifacts.</summary>
    public RunArtifactStore Artifacts => _app.Services.GetRequiredService<RunArtifactStore>();

    public static async Task<LocalHost> StartAsync(LocalHostOptions options, CancellationToken cancellationToken)
    {
        var configuration = options.Configuration;
        var listen = Bindable(options.Listen ?? configuration.Host.Listen);
        var publicUrl = configuration.Host.PublicUrl ?? listen;

        var artifacts = new RunArtifactStore(new BlobContainerClient(options.StorageConnectionString, ArtifactsContainer));
        await artifacts.EnsureContainerAsync(cancellationToken);
        var ledgerContainer = new BlobContainerClient(options.StorageConnectionString, LedgerContainer);
        await ledgerContainer.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

        var backend = await DurableBackend.StartAsync(new DurableBackendOptions(options.StorageConnectionString, configuration.Host.TaskHub, options.WorkerId), options.Logs, cancellationToken);
        var clients = new ServiceNowClients(configuration, options.Secrets, options.ClientOptions);
        try
        {
            var tokens = new ApprovalTokenService(options.SigningKeys, TimeProvider.System);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(options.Logs);
            builder.WebHost.UseKestrel(kestrel => kestrel.AddServerHeader = false).UseUrls(listen.GetLeftPart(UriPartial.Authority));
            builder.Services.AddSingleton(configuration);
            builder.Services.AddSingleton(artifacts);
            var runServices = new RunServices(configuration, clients, artifacts) { Durability = options.Durability };
            builder.Services.AddSingleton(runServices);
            builder.Services.AddSingleton(options.Notifier);
            builder.Services.AddSingleton(tokens);
            builder.Services.AddSingleton(new ApprovalLinks(tokens, publicUrl));
            builder.Services.AddSingleton(new ApprovalDecisionRecorder(tokens, new BlobApprovalTokenLedger(ledgerContainer), TimeProvider.System));
            builder.Services.AddSingleton(sp => new CloneRuns(sp.GetRequiredService<DurableTaskClient>(), configuration, durability: options.Durability));
            if (options.DataConverter is { } converter)
            {
                builder.Services.Configure<DurableTaskWorkerOptions>(o => o.DataConverter = converter);
                builder.Services.Configure<DurableTaskClientOptions>(o => o.DataConverter = converter);
            }

            builder.Services.AddDurableTaskWorker(worker =>
            {
                worker.UseGrpc(backend.Channel);
                worker.AddTasks(registry => registry.AddCloneFlowTasks());
            });
            builder.Services.AddDurableTaskClient(client =>
            {
                client.UseGrpc(backend.Channel);
                client.RegisterDirectly();
            });

            var app = builder.Build();
            // Both handlers are stateless over the host's singletons: one of each serves every request.
            var runs = app.Services.GetRequiredService<CloneRuns>();
            var api = new CloneApi(runs, artifacts, configuration);
            var pages = Task.FromResult(new ApprovalPages(runs, tokens, app.Services.GetRequiredService<ApprovalDecisionRecorder>(), artifacts, new GateInputChecks(runServices)));
            app.MapCloneApi(() => api);
            app.MapApprovalPages(() => pages);
            await app.StartAsync(cancellationToken);
            return new LocalHost(backend, app, clients, listen);
        }
        catch
        {
            clients.Dispose();
            await backend.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _backend.DisposeAsync();
        _clients.Dispose();
    }

    /// <summary>
    /// The listen address with a concrete port: approval links are signed into notifications by
    /// activities that may run the moment the worker starts (a run resumed after a crash), before
    /// Kestrel could report a port it picked itself.
    /// </summary>
    private static Uri Bindable(Uri listen)
    {
        if (listen.Port != 0)
        {
            return listen;
        }

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new UriBuilder(listen) { Port = port }.Uri;
    }
}
