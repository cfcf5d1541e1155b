using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.ServiceNow.Clones;

namespace CloneFlow.Core.Runtime;

/// <summary>What every activity needs: configuration, clients, the artifact store and the clone drivers.</summary>
public sealed class RunServices
{
    /// <summary>Creates the bundle.</summary>
    public RunServices(CloneFlowConfiguration configuration, IServiceNowClients clients, RunArtifactStore artifacts, TimeProvider? time = null)
    {
        Configuration = configuration;
        Clients = clients;
        Artifacts = artifacts;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The validated configuration.</summary>
    public CloneFlowConfiguration Configuration { get; }

    /// <summary>ServiceNow clients per instance.</summary>
    public IServiceNowClients Clients { get; }

    /// <summary>The run artifacts on Blob storage.</summary>
    public RunArtifactStore Artifacts { get; }

    /// <summary>The clock activities use (never the orchestrator: it uses the context's clock).</summary>
    public TimeProvider Time { get; }

    /// <summary>How long the storage may lose what it acknowledged; the clone request waits that long first.</summary>
    public StorageDurability Durability { get; init; } = StorageDurability.Immediate;

    /// <summary>The configured target, or a clear error.</summary>
    public TargetConfiguration Target(string name) =>
        Configuration.Targets.TryGetValue(name, out var target)
            ? target
            : throw new InvalidOperationException($"Target '{name}' is not in the configuration.");

    /// <summary>The clone driver the target is configured with, talking to its source.</summary>
    public async Task<ICloneDriver> CloneDriverAsync(string target, CancellationToken cancellationToken)
    {
        var settings = Target(target);
        var source = await Clients.GetAsync(settings.Source, cancellationToken);
        return settings.Cloning.Driver switch
        {
            "manual" => new ManualCloneDriver(source),
            _ => new TableCloneDriver(source),
        };
    }
}
