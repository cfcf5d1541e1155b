using System.Diagnostics;

namespace CloneFlow.Benchmarks;

/// <summary>CPU seconds each process of the stack used within a window of a run.</summary>
/// <param name="CloneFlow">This process: the orchestration, activities, HTTP client, XML and hashing.</param>
/// <param name="Simulator">The ServiceNow simulator's child process (rendering rows as JSON).</param>
/// <param name="Azurite">Azurite's node process (storing and serving the blobs).</param>
internal sealed record CpuSeconds(double CloneFlow, double Simulator, double Azurite)
{
    public double Total => CloneFlow + Simulator + Azurite;
}

/// <summary>
/// Samples the CPU time of CloneFlow, the simulator and Azurite every 50 ms, so a phase's window
/// (from the run's own timeline) can be billed to each of them afterwards. It tells whether a run was
/// held back by the API (CPUs idle) or by the machine (CPUs busy), and who used them.
/// </summary>
internal sealed class CpuMeter : IAsyncDisposable
{
    private readonly Process?[] _processes;
    private readonly List<(DateTimeOffset At, TimeSpan[] Cpu)> _samples = [];
    private readonly TimeSpan[] _last;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private CpuMeter(Process?[] processes)
    {
        _processes = processes;
        _last = new TimeSpan[processes.Length];
        Sample();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
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

    /// <summary>Starts sampling this process, the simulator and Azurite (a missing pid counts as zero).</summary>
    public static CpuMeter Start(int simulatorPid, int? azuritePid) =>
        new([Process.GetCurrentProcess(), Open(simulatorPid), Open(azuritePid)]);

    /// <summary>CPU seconds per process between the samples nearest to <paramref name="from"/> and <paramref name="to"/>.</summary>
    public CpuSeconds Between(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_samples)
        {
            var start = _samples.MinBy(s => Math.Abs((s.At - from).Ticks));
            var end = _samples.MinBy(s => Math.Abs((s.At - to).Ticks));
            double Used(int i) => Math.Round((end.Cpu[i] - start.Cpu[i]).TotalSeconds, 2);
            return new CpuSeconds(Used(0), Used(1), Used(2));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            Sample();
            await _stop.CancelAsync();
            await _loop;
        }

        _stop.Dispose();
        foreach (var process in _processes)
        {
            process?.Dispose();
        }
    }

    /// <summary>The process, or null (counted as zero) when there is none or it is gone.</summary>
    private static Process? Open(int? pid)
    {
        try
        {
            return pid is { } id ? Process.GetProcessById(id) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private void Sample()
    {
        lock (_samples)
        {
            var at = DateTimeOffset.UtcNow;
            var cpu = new TimeSpan[_processes.Length];
            for (var i = 0; i < cpu.Length; i++)
            {
                cpu[i] = Read(i);
            }

            _samples.Add((at, cpu));
        }
    }

    private TimeSpan Read(int index)
    {
        if (_processes[index] is not { } process)
        {
            return TimeSpan.Zero;
        }

        try
        {
            process.Refresh();
            _last[index] = process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            // Exited: its last reading stands for the rest of the window.
        }

        return _last[index];
    }
}
