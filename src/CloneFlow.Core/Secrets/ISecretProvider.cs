namespace CloneFlow.Core.Secrets;

/// <summary>
/// Where CloneFlow reads its secrets (signing keys, webhook URLs, passwords) by name. Configuration
/// only ever holds secret names; the values stay behind this interface and out of logs and history.
/// </summary>
public interface ISecretProvider
{
    /// <summary>Returns the value of the named secret, or throws <see cref="SecretNotFoundException"/> when it is missing or empty.</summary>
    ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken);
}
