using CloneFlow.Core.Runs;

namespace CloneFlow.Core.Activities;

/// <summary>
/// One set's updates as the inventory reads them in sys_id order: how many, and the sys_id each export page
/// after the first starts at (every <see cref="PlannedSet.PageSize"/>th update), so the export can read
/// the pages side by side.
/// </summary>
internal sealed class UpdateTally
{
    private readonly List<string> _pageStarts = [];
    private bool _unordered;

    /// <summary>Updates seen.</summary>
    public long Count { get; private set; }

    /// <summary>The first sys_id of each page after the first, ascending.</summary>
    public IReadOnlyList<string> PageStarts => _pageStarts;

    /// <summary>The tally of <paramref name="set"/> in <paramref name="tallies"/>, new if it has none yet.</summary>
    public static UpdateTally Of(Dictionary<string, UpdateTally> tallies, string set)
    {
        if (!tallies.TryGetValue(set, out var tally))
        {
            tallies[set] = tally = new UpdateTally();
        }

        return tally;
    }

    /// <summary>Counts the next update of the set (the updates come in ascending sys_id order).</summary>
    public void Add(string sysId)
    {
        if (Count > 0 && Count % PlannedSet.PageSize == 0 && !_unordered)
        {
            if (_pageStarts.Count > 0 && string.CompareOrdinal(_pageStarts[^1], sysId) >= 0)
            {
                // Ids not ordered as the ranges compare them: no page ranges for this set; the export then
                // splits it by the first character, which needs no order.
                _unordered = true;
                _pageStarts.Clear();
            }
            else
            {
                _pageStarts.Add(sysId);
            }
        }

        Count++;
    }
}
