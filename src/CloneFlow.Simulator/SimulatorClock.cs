namespace CloneFlow.Simulator;

/// <summary>The simulated wall clock every instance reads: clones, CI/CD jobs, token expiry, rate limits and restart windows.</summary>
public interface ISimulatorClock
{
    /// <summary>The current simulated time (UTC).</summary>
    DateTimeOffset UtcNow { get; }

    /// <summary>Moves simulated time forward by <paramref name="delta"/>.</summary>
    void Advance(TimeSpan delta);
}

/// <summary>
/// A clock that runs <see cref="Acceleration"/> times faster than real time (0 = stands still)
/// and can be advanced by hand, so a three-hour clone passes in seconds.
/// </summary>
public sealed class SimulatorClock : ISimulatorClock
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _real;
    private DateTimeOffset _anchorSimulated;
    private long _anchorReal;
    private double _acceleration;

    /// <summary>Creates a clock starting at <paramref name="start"/> and running <paramref name="acceleration"/> times real speed.</summary>
    public SimulatorClock(DateTimeOffset start, double acceleration, TimeProvider? realTime = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(acceleration);
        _real = realTime ?? TimeProvider.System;
        _anchorSimulated = start.ToUniversalTime();
        _anchorReal = _real.GetTimestamp();
        _acceleration = acceleration;
    }

    /// <summary>Simulated seconds per real second; changing it keeps the current simulated time.</summary>
    public double Acceleration
    {
        get { lock (_gate) { return _acceleration; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                Rebase();
                _acceleration = value;
            }
        }
    }

    /// <inheritdoc />
    public DateTimeOffset UtcNow
    {
        get
        {
            lock (_gate)
            {
                return Current();
            }
        }
    }

    /// <inheritdoc />
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_gate)
        {
            Rebase();
            _anchorSimulated += delta;
        }
    }

    private DateTimeOffset Current()
    {
        var realElapsed = _real.GetElapsedTime(_anchorReal);
        return _anchorSimulated + TimeSpan.FromTicks((long)(realElapsed.Ticks * _acceleration));
    }

    private void Rebase()
    {
        _anchorSimulated = Current();
        _anchorReal = _real.GetTimestamp();
    }
}
