namespace CloneFlow.Core.ServiceNow.Tables;

/// <summary>
/// How one read splits into disjoint sys_id ranges, and how many of them it reads at once. The ranges
/// always cover every possible sys_id (the first is open below, the last open above), so a row is in
/// exactly one of them whatever was inserted or deleted since the split was chosen.
/// </summary>
public sealed record SysIdSplit
{
    private const string Hex = "0123456789abcdef";

    private SysIdSplit(IReadOnlyList<string> starts, int atOnce)
    {
        Starts = starts;
        AtOnce = atOnce;
    }

    /// <summary>Where each range after the first starts (ascending); empty for one range.</summary>
    public IReadOnlyList<string> Starts { get; }

    /// <summary>How many ranges are read at the same time (at least one).</summary>
    public int AtOnce { get; }

    /// <summary>How many ranges there are.</summary>
    public int Count => Starts.Count + 1;

    /// <summary>
    /// Up to 16 ranges of about equal share, split on the first (hex) character of the sys_id, all read at
    /// once: for a read whose ids are not known in advance. Each range ends in a partly filled page.
    /// </summary>
    public static SysIdSplit ByFirstCharacter(int partitions)
    {
        partitions = Math.Clamp(partitions, 1, Hex.Length);
        var starts = Enumerable.Range(1, partitions - 1).Select(i => Hex[i * Hex.Length / partitions].ToString()).ToList();
        return new SysIdSplit(starts, partitions);
    }

    /// <summary>
    /// Ranges starting at the given sys_ids, <paramref name="atOnce"/> of them read at the same time: when
    /// an inventory saw where each page of the rows starts, every range is one full page.
    /// </summary>
    /// <exception cref="ArgumentException">The starts are not in ascending order, or one is empty.</exception>
    public static SysIdSplit At(IReadOnlyList<string> starts, int atOnce)
    {
        ArgumentNullException.ThrowIfNull(starts);
        for (var i = 0; i < starts.Count; i++)
        {
            if (string.IsNullOrEmpty(starts[i]) || (i > 0 && string.CompareOrdinal(starts[i - 1], starts[i]) >= 0))
            {
                throw new ArgumentException("Range starts must be non-empty sys_ids in ascending order without repeats.", nameof(starts));
            }
        }

        return new SysIdSplit([.. starts], Math.Clamp(atOnce, 1, starts.Count + 1));
    }

    /// <summary>The ranges of <paramref name="query"/>: below the first start, between each start and the next, from the last start up.</summary>
    public IReadOnlyList<TableQuery> RangesOf(TableQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (Starts.Count == 0)
        {
            return [query];
        }

        var ranges = new List<TableQuery>(Count) { query.AndLessThan("sys_id", Starts[0]) };
        for (var i = 1; i < Starts.Count; i++)
        {
            ranges.Add(query.AndGreaterOrEqual("sys_id", Starts[i - 1]).AndLessThan("sys_id", Starts[i]));
        }

        ranges.Add(query.AndGreaterOrEqual("sys_id", Starts[^1]));
        return ranges;
    }
}
