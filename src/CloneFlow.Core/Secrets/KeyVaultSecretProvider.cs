using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;

namespace CloneFlow.Core.Secrets;

/// <summary>
/// Reads secrets from Azure Key Vault (the Functions app's managed identity needs Key Vault Secrets
/// User) and caches each for a while, so a run does not call the vault for every activity. A missing
/// secret names the vault and the secret, never a value.
/// </summary>
public sealed class KeyVaultSecretProvider(SecretClient client, TimeProvider? timeProvider = null, TimeSpan? cacheFor = null) : ISecretProvider
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly TimeSpan _cacheFor = cacheFor ?? TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, (string Value, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_cache.TryGetValue(name, out var cached) && cached.Until > _time.GetUtcNow())
        {
            return cached.Value;
        }

        try
        {
            var secret = await client.GetSecretAsync(name, cancellationToken: cancellationToken);
            if (string.IsNullOrEmpty(secret.Value.Value))
            {
                throw new SecretNotFoundException(name, $"it is empty in {client.VaultUri}");
            }

            _cache[name] = (secret.Value.Value, _time.GetUtcNow() + _cacheFor);
            return secret.Value.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new SecretNotFoundException(name, $"add it to {client.VaultUri} with 'az keyvault secret set --name {name}'");
        }
    }
}
