using System.Text;

namespace CloneFlow.Core.Secrets;

/// <summary>
/// Reads secrets from environment variables named <c>CLONEFLOW_SECRET_&lt;NAME&gt;</c>: the secret
/// name in upper case with every character other than A-Z and 0-9 replaced by <c>_</c>
/// (<c>cloneflow-approval-key</c> is <c>CLONEFLOW_SECRET_CLONEFLOW_APPROVAL_KEY</c>). For the local
/// host and tests; Azure reads the same names from Key Vault.
/// </summary>
public sealed class EnvironmentSecretProvider : ISecretProvider
{
    /// <summary>The prefix of every secret variable.</summary>
    public const string Prefix = "CLONEFLOW_SECRET_";

    private readonly Func<string, string?> _lookup;

    /// <summary>Reads the process environment.</summary>
    public EnvironmentSecretProvider()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Reads variables through <paramref name="lookup"/> (a variable name in, its value or null out); for tests.</summary>
    public EnvironmentSecretProvider(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
    }

    /// <summary>The environment variable that holds the named secret.</summary>
    public static string VariableName(string secretName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        var name = new StringBuilder(Prefix, Prefix.Length + secretName.Length);
        foreach (var c in secretName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return name.ToString();
    }

    /// <inheritdoc />
    public ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var variable = VariableName(name);
        var value = _lookup(variable);
        if (string.IsNullOrEmpty(value))
        {
            throw new SecretNotFoundException(name, $"set the environment variable {variable}");
        }

        return ValueTask.FromResult(value);
    }
}
