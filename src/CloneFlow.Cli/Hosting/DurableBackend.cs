using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Cli.Hosting;

/// <summary>Where the durable state lives and how quickly work lost with a killed process comes back.</summary>
/// <param name="StorageConnectionString">The storage account holding the task hub's queues, tables and blobs.</param>
/// <param name="TaskHub">The task hub name (3-45 letters and digits).</param>
/// <param name="WorkerId">This host's identity in partition leases; a restarted host with the same id takes its leases back at once.</param>
internal sealed record DurableBackendOptions(string StorageConnectionString, string TaskHub, string WorkerId)
{
    /// <summary>How long a dequeued message stays hidden; an activity lost with its process is retried after this.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between queue polls when idle.</summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The Durable Task engine's back end for the local host: the SDK's gRPC sidecar
/// (<c>TaskHubGrpcServer</c>, from a preview package, used nowhere else) over the Azure Storage
/// orchestration service, served by Kestrel on loopback over HTTP/2. State is in storage, so a run
/// survives the process: a new host on the same task hub carries on where a killed one stopped.
/// </summary>
internal sealed class DurableBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DurableBackend(WebApplication app, GrpcChannel channel)
    {
        _app = app;
        Channel = channel;
    }

    /// <summary>The channel the worker and clients talk to the engine over.</summary>
    public GrpcChannel Channel { get; }

    public static async Task<DurableBackend> StartAsync(DurableBackendOptions options, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnectionString),
            // One host: one partition keeps the lease bookkeeping small.
            PartitionCount = 1,
            WorkerId = options.WorkerId,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            ControlQueueVisibilityTimeout = options.VisibilityTimeout,
            WorkItemQueueVisibilityTimeout = options.VisibilityTimeout,
            LoggerFactory = logs,
        };
        var storage = new AzureStorageOrchestrationService(settings);
        await storage.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(new RenewingOrchestrationService(storage, options.VisibilityTimeout / 3));
        builder.Services.AddSingleton<IOrchestrationServiceClient>(storage);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DurableBackend(app, GrpcChannel.ForAddress(address));
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.ShutdownAsync();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
