namespace CloneFlow.Core.ServiceNow;

/// <summary>The row count ServiceNow reported for a read (the sum over its sys_id ranges); thread safe.</summary>
public sealed class RecordCount
{
    private long _total;
    private int _ranges;

    /// <summary>The rows ServiceNow counted, over the ranges that have reported so far.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>How many ranges have reported their count.</summary>
    public int Ranges => Volatile.Read(ref _ranges);

    internal void Add(long count)
    {
        Interlocked.Add(ref _total, count);
        Interlocked.Increment(ref _ranges);
    }
}
