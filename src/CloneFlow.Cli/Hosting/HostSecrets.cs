using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Secrets;

namespace CloneFlow.Cli.Hosting;

/// <summary>The secret provider the configuration names: Key Vault when <c>host.keyVaultUri</c> is set, <c>CLONEFLOW_SECRET_*</c> variables otherwise.</summary>
internal static class HostSecrets
{
    /// <param name="host">The host settings.</param>
    /// <param name="credential">The identity for Key Vault (shared with Graph mail, so one token cache serves both).</param>
    public static ISecretProvider For(LocalHostConfiguration host, Lazy<TokenCredential> credential) =>
        host.KeyVaultUri is { } vault
            ? new KeyVaultSecretProvider(new SecretClient(vault, credential.Value))
            : new EnvironmentSecretProvider();

    /// <summary>Azure.Identity's default credential, made only when something needs it.</summary>
    public static Lazy<TokenCredential> Credential() => new(() => new DefaultAzureCredential());
}
