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

    /// <summary>
    /// Keep the data in this folder across runs (the local host's default storage) instead of a
    /// temporary one deleted on dispose; an Azurite still serving the folder (left by a killed
    /// process) is adopted rather than started twice over the same files.
    /// </summary>
    public string? DataFolder { get; init; }

    /// <summary>
    /// Keep everything in memory only (<c>--inMemoryPersistence</c>): nothing survives the process, and
    /// Azurite never stops to write its whole metadata database to disk (it does that every 5 seconds
    /// otherwise, longer as more runs are stored), which in a measurement is a pause no storage service
    /// has. Not with <see cref="DataFolder"/>, whose point is to keep the data.
    /// </summary>
    public bool InMemory { get; init; }

    /// <summary>Where to say what is happening (npm ci, start-up); nothing is written when null.</summary>
    public TextWriter? Log { get; init; }
}
