namespace CloneFlow.Simulator.Seeding;

/// <summary>How big a seeded estate is. The defaults are small; benchmarks raise the counts (hundreds of sets, 100k+ updates).</summary>
public sealed class EstateOptions
{
    /// <summary>Simulated "now" the estate's timestamps are relative to (fixed, so a seed always gives the same estate).</summary>
    public DateTimeOffset ReferenceTime { get; set; } = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Released (complete, committed) sets present on every instance.</summary>
    public int ReleasedSets { get; set; } = 3;

    /// <summary>In-progress global sets on each sub-production instance (at least 2 are always seeded).</summary>
    public int InProgressSets { get; set; } = 3;

    /// <summary>Complete sets not yet released, on each sub-production instance.</summary>
    public int CompleteUnreleasedSets { get; set; } = 2;

    /// <summary>Complete sets of a sub-production instance already promoted to production the real way: on production a committed remote set whose <c>remote_sys_id</c> is the set's sys_id, and the local set its commit made with a new sys_id.</summary>
    public int PromotedSets { get; set; } = 1;

    /// <summary>Children of the seeded batch (a parent set with this many child sets).</summary>
    public int BatchChildren { get; set; } = 2;

    /// <summary>Empty in-progress sets.</summary>
    public int EmptySets { get; set; } = 1;

    /// <summary>Updates per seeded set.</summary>
    public int UpdatesPerSet { get; set; } = 5;

    /// <summary>Approximate payload size of an ordinary update, in characters.</summary>
    public int PayloadBytes { get; set; } = 2048;

    /// <summary>Updates with a multi-MB payload on each sub-production instance.</summary>
    public int LargePayloads { get; set; } = 2;

    /// <summary>Size of a large payload, in characters.</summary>
    public int LargePayloadBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// Whether the seeded scoped app in development is linked to source control on each sub-production instance (off by
    /// default): a <c>sys_repo_config</c> row and a commit of its files to the repository <see cref="SeededApp.RepositoryUrl"/>.
    /// </summary>
    public bool LinkScopedAppToSourceControl { get; set; }
}
