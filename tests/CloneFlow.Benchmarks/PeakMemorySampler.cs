namespace CloneFlow.Benchmarks;

/// <summary>Samples the process's working set and managed heap while a phase runs and keeps the peaks.</summary>
internal sealed class PeakMemorySampler : IAsyncDisposable, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ResidentSetReader _residentSet = new();
    private readonly Task _loop;
    private long _peakWorkingSet;
    private long _peakManagedHeap;

    private PeakMemorySampler(TimeSpan interval)
    {
        Sample();
        StartWorkingSetBytes = Interlocked.Read(ref _peakWorkingSet);
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    Sample();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public static PeakMemorySampler Start() => Start(TimeSpan.FromMilliseconds(20));

    public static PeakMemorySampler Start(TimeSpan interval)
    {
        // Start each phase from a collected heap so one phase's garbage is not billed to the next.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new PeakMemorySampler(interval);
    }

    /// <summary>
    /// The working set when the phase began (after the collection): what the process already held from
    /// the phases before, which the peak includes.
    /// </summary>
    public long StartWorkingSetBytes { get; }

    public long PeakWorkingSetBytes => Interlocked.Read(ref _peakWorkingSet);

    public long PeakManagedHeapBytes => Interlocked.Read(ref _peakManagedHeap);

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        Sample();
        await _stop.CancelAsync();
        await _loop;
    }

    /// <summary>Releases the token source and the resident-set reader once the loop has stopped.</summary>
    public void Dispose()
    {
        _stop.Dispose();
        _residentSet.Dispose();
    }

    private void Sample()
    {
        Max(ref _peakWorkingSet, _residentSet.Read());
        Max(ref _peakManagedHeap, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void Max(ref long peak, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref peak)))
        {
            Interlocked.CompareExchange(ref peak, value, current);
        }
    }
}
