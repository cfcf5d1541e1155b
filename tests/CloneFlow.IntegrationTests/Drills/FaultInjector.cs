using System.Diagnostics;
using System.Globalization;
using CloneFlow.IntegrationTests.Workflow;
using CloneFlow.Simulator.Faults;

namespace CloneFlow.IntegrationTests.Drills;

/// <summary>
/// Applies a <see cref="FaultSchedule"/> to the simulator instances and Azurite while a run goes on:
/// watches the run's phase, opens each window once its phase is reached (plus its delay), and keeps
/// every instance's <see cref="FaultSettings"/> equal to the union of the windows open on it.
/// </summary>
internal sealed class FaultInjector : IAsyncDisposable
{
    private static readonly string[] Instances = ["prod", "test"];

    private readonly WorkflowHarness _harness;
    private readonly FaultSchedule _schedule;
    private readonly string _runId;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan?[] _opensAt;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _log = [];
    private readonly Task _loop;
    private Task _storageRestart = Task.CompletedTask;
    private int _phaseSeen = -1;
    private bool _restarted;

    public FaultInjector(WorkflowHarness harness, FaultSchedule schedule, string runId)
    {
        _harness = harness;
        _schedule = schedule;
        _runId = runId;
        _opensAt = new TimeSpan?[schedule.Windows.Count];
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>What happened when (for failure messages).</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    public void Note(string message)
    {
        lock (_log)
        {
            _log.Add(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,6:0.0}s {message}"));
        }
    }

    /// <summary>Closes every window for good: faults cleared, a storage restart under way waited for.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop;
        foreach (var instance in Instances)
        {
            _harness.Simulator[instance].Faults = new FaultSettings();
        }

        await _storageRestart;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await TickAsync();
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Note($"injector: {ex.GetType().Name}: {ex.Message}");
                await Task.Delay(100);
            }
        }
    }

    private async Task TickAsync()
    {
        var phase = (await _harness.StatusAsync(_runId))?.Phase;
        var index = phase is null ? -1 : Array.IndexOf(FaultSchedule.PhaseOrder, phase);
        if (index > _phaseSeen)
        {
            _phaseSeen = index;
            Note($"phase {phase}");
        }

        var now = _clock.Elapsed;
        for (var i = 0; i < _schedule.Windows.Count; i++)
        {
            var window = _schedule.Windows[i];
            if (_opensAt[i] is null && _phaseSeen >= Array.IndexOf(FaultSchedule.PhaseOrder, window.Phase))
            {
                _opensAt[i] = now + window.Delay;
                Note($"armed #{i} {window}");
            }

            if (window.Kind == FaultKind.StorageRestart && _opensAt[i] is { } at && at <= now && _storageRestart.IsCompleted && !_restarted)
            {
                _restarted = true;
                Note($"Azurite stopping for {window.Duration.TotalSeconds:0.0}s");
                _storageRestart = RestartStorageAsync(window.Duration);
            }
        }

        foreach (var instance in Instances)
        {
            var faults = new FaultSettings();
            for (var i = 0; i < _schedule.Windows.Count; i++)
            {
                var window = _schedule.Windows[i];
                if (window.Instance != instance || _opensAt[i] is not { } opens || now < opens || now >= opens + window.Duration)
                {
                    continue;
                }

                faults = window.Kind switch
                {
                    FaultKind.Throttle => faults with { ThrottleRate = Math.Max(faults.ThrottleRate, window.Rate), RetryAfterSeconds = Math.Max(faults.RetryAfterSeconds, window.RetryAfterSeconds) },
                    FaultKind.ServerErrors => faults with { ErrorRate = Math.Max(faults.ErrorRate, window.Rate) },
                    FaultKind.DroppedConnections => faults with { DropConnectionRate = Math.Max(faults.DropConnectionRate, window.Rate) },
                    FaultKind.Outage => faults with
                    {
                        UnavailableUntil = DateTimeOffset.UtcNow + (opens + window.Duration - now),
                        RetryAfterSeconds = Math.Max(faults.RetryAfterSeconds, window.RetryAfterSeconds),
                    },
                    _ => faults,
                };
            }

            var current = _harness.Simulator[instance].Faults;
            if (!SameFaults(current, faults))
            {
                _harness.Simulator[instance].Faults = faults;
                Note($"{instance} faults: {Describe(faults)}");
            }
        }
    }

    private async Task RestartStorageAsync(TimeSpan downtime)
    {
        try
        {
            await _harness.Azurite.RestartAsync(downtime);
            Note("Azurite answering again");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Note($"Azurite restart failed: {ex.Message}");
            throw;
        }
    }

    // The outage end moves every tick; compare whether an outage is on, not its exact end.
    private static bool SameFaults(FaultSettings a, FaultSettings b) =>
        a with { UnavailableUntil = null } == b with { UnavailableUntil = null } && (a.UnavailableUntil is null) == (b.UnavailableUntil is null);

    private static string Describe(FaultSettings f) => f == new FaultSettings()
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"429 {f.ThrottleRate:0.00}, 500 {f.ErrorRate:0.00}, drop {f.DropConnectionRate:0.00}, outage {(f.UnavailableUntil is null ? "no" : "yes")}, Retry-After {f.RetryAfterSeconds}s");
}
