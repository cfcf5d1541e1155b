namespace CloneFlow.Core.ServiceNow;

/// <summary>The row count ServiceNow reported for a read: the sum of each sys_id range's latest count; thread safe.</summary>
public sealed class RecordCount
{
    private long _total;
    private int _ranges;

    /// <summary>The rows ServiceNow counted, over the ranges that have reported so far (each with its latest count).</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>How many ranges have reported their count.</summary>
    public int Ranges => Volatile.Read(ref _ranges);

    /// <summary>A range's latest count, replacing the one it reported before (null for its first).</summary>
    internal void Report(long? previous, long current)
    {
        Interlocked.Add(ref _total, current - (previous ?? 0));
        if (previous is null)
        {
            Interlocked.Increment(ref _ranges);
        }
    }
}
