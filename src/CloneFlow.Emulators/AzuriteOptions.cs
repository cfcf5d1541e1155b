namespace CloneFlow.Emulators;

/// <summary>How to start Azurite.</summary>
public sealed record AzuriteOptions
{
    /// <summary>The folder with package.json and node_modules; found by walking up from the app and the current directory when null.</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>How long to wait for Azurite to answer on all three ports.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Use the <c>CLONEFLOW_STORAGE</c> connection string instead of starting Azurite when it is set.</summary>
    public bool HonourStorageEnvironmentVariable { get; init; } = true;

    /// <summary>Where to say what is happening (npm ci, start-up); nothing is written when null.</summary>
    public TextWriter? Log { get; init; }
}
