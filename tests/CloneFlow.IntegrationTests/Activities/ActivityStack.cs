using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Secrets;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Emulators;
using CloneFlow.IntegrationTests.Workflow;
using CloneFlow.Simulator;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.IntegrationTests.Activities;

/// <summary>
/// What activities run against outside the orchestration: the simulator (prod and test) over HTTP, Azurite,
/// and the run services the hosts give activities, with short retry delays.
/// </summary>
internal sealed class ActivityStack : IAsyncDisposable
{
    private ActivityStack(SimulatorHost simulator, AzuriteHost azurite, RunServices services)
    {
        Simulator = simulator;
        Azurite = azurite;
        Services = services;
    }

    public SimulatorHost Simulator { get; }

    public AzuriteHost Azurite { get; }

    public RunServices Services { get; }

    /// <summary>Starts the stack on a seeded estate; <paramref name="storagePolicy"/> sees every storage request when given.</summary>
    public static async Task<ActivityStack> StartAsync(EstateOptions estate, HttpPipelinePolicy? storagePolicy = null)
    {
        var options = new SimulatorOptions { Seed = 7, ClockAcceleration = 0, Estate = estate };
        options.Instances.Add(new SimulatorInstanceOptions("prod") { IsProduction = true });
        options.Instances.Add(new SimulatorInstanceOptions("test"));
        var simulator = await SimulatorHost.StartAsync(options, CancellationToken.None);
        var azurite = await AzuriteHost.StartAsync();
        var configuration = SimulatedConfiguration.Create(simulator.Instances, WorkflowHarness.Approver, WorkflowHarness.Requester);
        var secrets = new EnvironmentSecretProvider(variable => variable.EndsWith("_PASSWORD", StringComparison.Ordinal) ? "admin" : null);
        var clients = new ServiceNowClients(configuration, secrets, new ServiceNowClientOptions { RetryDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(100) });
        var blobOptions = new BlobClientOptions();
        if (storagePolicy is not null)
        {
            blobOptions.AddPolicy(storagePolicy, HttpPipelinePosition.PerRetry);
        }

        var artifacts = new RunArtifactStore(new BlobContainerClient(azurite.ConnectionString, "cloneflow-runs", blobOptions));
        await artifacts.EnsureContainerAsync();
        return new ActivityStack(simulator, azurite, new RunServices(configuration, clients, artifacts));
    }

    /// <summary>A new run of the target <c>test</c> with its plan.</summary>
    public async Task<(string RunId, RunPlan Plan)> PlanAsync()
    {
        var runId = "clone-test-" + Guid.NewGuid().ToString("N")[..12];
        await new PlanActivity(Services).ExecuteAsync(new RunRef(runId, "test"));
        var plan = await Services.Artifacts.ReadJsonAsync<RunPlan>(runId, PlanActivity.PlanBlob);
        return (runId, plan!);
    }

    public async ValueTask DisposeAsync()
    {
        ((ServiceNowClients)Services.Clients).Dispose();
        await Azurite.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
