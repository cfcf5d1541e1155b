using CloneFlow.Core.ServiceNow;

namespace CloneFlow.Core.Runtime;

/// <summary>One ServiceNow client per configured instance, built on first use from configuration and secrets.</summary>
public interface IServiceNowClients
{
    /// <summary>The client for the named instance; throws for an instance the configuration does not declare.</summary>
    ValueTask<ServiceNowClient> GetAsync(string instance, CancellationToken cancellationToken);
}
