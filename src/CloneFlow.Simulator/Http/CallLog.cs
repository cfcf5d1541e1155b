namespace CloneFlow.Simulator.Http;

/// <summary>
/// When each API call to an instance arrived and when its answer was written (wall clock, Unix
/// milliseconds), for the most recent calls up to a bound: what a benchmark reads to see how busy the
/// instance's request slots were during a phase of a run. Control calls are not in it.
/// </summary>
internal sealed class CallLog(int capacity = CallLog.DefaultCapacity)
{
    /// <summary>Calls kept (16 bytes each): a 100k-update export makes about 1,100.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Queue<(long Start, long End)> _calls = new();

    /// <summary>Notes one call.</summary>
    public void Add(long startMs, long endMs)
    {
        lock (_calls)
        {
            if (_calls.Count == capacity)
            {
                _calls.Dequeue();
            }

            _calls.Enqueue((startMs, endMs));
        }
    }

    /// <summary>The calls that arrived from <paramref name="fromMs"/> to <paramref name="toMs"/> (inclusive).</summary>
    public CallSummary Between(long fromMs, long toMs)
    {
        int count = 0;
        long first = long.MaxValue, last = long.MinValue, busy = 0;
        lock (_calls)
        {
            foreach (var (start, end) in _calls)
            {
                if (start < fromMs || start > toMs)
                {
                    continue;
                }

                count++;
                first = Math.Min(first, start);
                last = Math.Max(last, end);
                busy += end - start;
            }
        }

        return count == 0 ? new CallSummary(0, 0, 0, 0) : new CallSummary(count, first, last, busy);
    }
}

/// <summary>Calls in a window of time.</summary>
/// <param name="Calls">How many arrived in it.</param>
/// <param name="FirstStartMs">When the first arrived (Unix ms; 0 without calls).</param>
/// <param name="LastEndMs">When the last of them was answered (Unix ms; 0 without calls).</param>
/// <param name="BusyMs">Their durations added up: divided by the span, how many were in flight on average.</param>
public sealed record CallSummary(int Calls, long FirstStartMs, long LastEndMs, long BusyMs);
