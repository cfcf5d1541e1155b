namespace CloneFlow.Core.Configuration;

/// <summary>One thing wrong with the configuration, naming its key.</summary>
/// <param name="Key">The path of the setting, e.g. <c>targets.test.source</c>.</param>
/// <param name="Message">What is wrong and what to do.</param>
public sealed record ConfigurationError(string Key, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Message}";
}

/// <summary>The configuration cannot be used; every error is listed.</summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the error from the list of problems.</summary>
    public ConfigurationException(IReadOnlyList<ConfigurationError> errors)
        : base("The CloneFlow configuration is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    /// <summary>Required by CA1032.</summary>
    public ConfigurationException()
        : this([])
    {
    }

    /// <summary>Required by CA1032.</summary>
    public ConfigurationException(string message)
        : base(message)
    {
        Errors = [new ConfigurationError("(file)", message)];
    }

    /// <summary>Required by CA1032.</summary>
    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ConfigurationError("(file)", message)];
    }

    /// <summary>Everything that is wrong.</summary>
    public IReadOnlyList<ConfigurationError> Errors { get; }
}
