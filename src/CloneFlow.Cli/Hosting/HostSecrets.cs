using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Secrets;

namespace CloneFlow.Cli.Hosting;

/// <summary>The secret provider the configuration names: Key Vault when <c>host.keyVaultUri</c> is set, <c>CLONEFLOW_SECRET_*</c> variables otherwise.</summary>
internal static class HostSecrets
{
    public static ISecretProvider For(LocalHostConfiguration host) =>
        host.KeyVaultUri is { } vault
            ? new KeyVaultSecretProvider(new SecretClient(vault, new DefaultAzureCredential()))
            : new EnvironmentSecretProvider();

    /// <summary>Where a secret is looked up, for error messages (never the value).</summary>
    public static string Describe(LocalHostConfiguration host, string secretName) =>
        host.KeyVaultUri is { } vault
            ? $"secret '{secretName}' in {vault}"
            : $"environment variable {EnvironmentSecretProvider.VariableName(secretName)}";
}
