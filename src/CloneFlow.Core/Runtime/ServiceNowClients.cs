using System.Collections.Concurrent;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Secrets;
using CloneFlow.Core.ServiceNow;

namespace CloneFlow.Core.Runtime;

/// <summary>
/// Builds clients only for instances in the configuration (never from request input), reading their
/// credentials from the secret provider when first needed; clients are shared so the per-instance
/// concurrency limit holds across activities.
/// </summary>
public sealed class ServiceNowClients : IServiceNowClients, IDisposable
{
    private readonly CloneFlowConfiguration _configuration;
    private readonly ISecretProvider _secrets;
    private readonly ServiceNowClientOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<Task<ServiceNowClient>>> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates the factory.</summary>
    public ServiceNowClients(CloneFlowConfiguration configuration, ISecretProvider secrets, ServiceNowClientOptions? options = null)
    {
        _configuration = configuration;
        _secrets = secrets;
        _options = options ?? new ServiceNowClientOptions();
    }

    /// <inheritdoc />
    public async ValueTask<ServiceNowClient> GetAsync(string instance, CancellationToken cancellationToken)
    {
        if (!_configuration.Instances.TryGetValue(instance, out var settings) || settings.BaseUrl is null)
        {
            throw new InvalidOperationException($"Instance '{instance}' is not in the configuration; CloneFlow only talks to configured instances.");
        }

        var lazy = _clients.GetOrAdd(instance, _ => new Lazy<Task<ServiceNowClient>>(() => CreateAsync(settings, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (SecretNotFoundException)
        {
            // A missing secret may be set meanwhile; do not cache the failure.
            _clients.TryRemove(instance, out _);
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            client.Value.Result.Dispose();
        }
    }

    private async Task<ServiceNowClient> CreateAsync(InstanceConfiguration settings, CancellationToken cancellationToken)
    {
        var auth = settings.Auth;
        var credential = auth.Kind switch
        {
            "basic" => ServiceNowCredential.Basic(auth.UserName!, await _secrets.GetSecretAsync(auth.PasswordSecret!, cancellationToken)),
            "oauth-password" => ServiceNowCredential.OAuthPassword(
                auth.ClientId!,
                await _secrets.GetSecretAsync(auth.ClientSecretSecret!, cancellationToken),
                auth.UserName!,
                await _secrets.GetSecretAsync(auth.PasswordSecret!, cancellationToken)),
            "oauth-client-credentials" => ServiceNowCredential.OAuthClientCredentials(auth.ClientId!, await _secrets.GetSecretAsync(auth.ClientSecretSecret!, cancellationToken)),
            _ => throw new InvalidOperationException($"Unknown auth kind '{auth.Kind}'."),
        };
        return new ServiceNowClient(settings.BaseUrl!, credential, _options);
    }
}
