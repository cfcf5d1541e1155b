namespace CloneFlow.Core.Secrets;

/// <summary>A secret CloneFlow needs is not there. The message names the secret and where it was looked for, never a value.</summary>
public sealed class SecretNotFoundException : Exception
{
    /// <summary>Creates the error for a missing secret; <paramref name="whereToSetIt"/> tells a person how to provide it.</summary>
    public SecretNotFoundException(string secretName, string whereToSetIt)
        : base($"The secret '{secretName}' is not set: {whereToSetIt}.")
    {
        SecretName = secretName;
    }

    /// <summary>Creates the error for a missing secret.</summary>
    public SecretNotFoundException(string secretName)
        : base($"The secret '{secretName}' is not set.")
    {
        SecretName = secretName;
    }

    /// <summary>Required by CA1032; prefer the constructors that name the secret.</summary>
    public SecretNotFoundException()
        : base("A secret is not set.")
    {
        SecretName = string.Empty;
    }

    /// <summary>Required by CA1032; prefer the constructors that name the secret.</summary>
    public SecretNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        SecretName = string.Empty;
    }

    /// <summary>The name of the missing secret (never its value).</summary>
    public string SecretName { get; }
}
