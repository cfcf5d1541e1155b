namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>Shape of a generated sample export (<see cref="UpdateSetSample"/>).</summary>
public sealed record UpdateSetSampleOptions
{
    /// <summary>Update sets in the batch: one base and <c>Sets - 1</c> children.</summary>
    public int Sets { get; init; } = 3;

    /// <summary>Updates spread round-robin over the sets.</summary>
    public int Updates { get; init; } = 24;

    /// <summary>Approximate size of each payload in bytes (scripts are padded to reach it).</summary>
    public int PayloadBytes { get; init; } = 1536;

    /// <summary>Every n-th update is a DELETE; 0 for none.</summary>
    public int DeleteEvery { get; init; } = 7;

    /// <summary>Seed of the sys_id and content generator: the same options give the same file.</summary>
    public int Seed { get; init; } = 20261125;

    /// <summary>The unload date written to the root element.</summary>
    public DateTimeOffset UnloadDate { get; init; } = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Throws when the options cannot describe a file.</summary>
    public void Validate()
    {
        if (Sets < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Sets), Sets, "A sample needs at least one update set.");
        }

        if (Updates < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Updates), Updates, "The number of updates cannot be negative.");
        }

        if (PayloadBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PayloadBytes), PayloadBytes, "The payload size cannot be negative.");
        }

        if (DeleteEvery < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DeleteEvery), DeleteEvery, "DeleteEvery cannot be negative.");
        }
    }
}
