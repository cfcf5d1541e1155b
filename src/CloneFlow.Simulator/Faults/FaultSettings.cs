namespace CloneFlow.Simulator.Faults;

/// <summary>Faults applied to every API call of one instance (the <c>/_simulator</c> control surface is exempt).</summary>
public sealed record FaultSettings
{
    /// <summary>Real milliseconds added before every answer.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Fraction (0..1) of calls answered 500 with ServiceNow's error shape.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Fraction (0..1) of calls whose connection is aborted without an answer.</summary>
    public double DropConnectionRate { get; init; }

    /// <summary>Fraction (0..1) of calls answered only after <see cref="SlowResponseMs"/>.</summary>
    public double SlowResponseRate { get; init; }

    /// <summary>Real milliseconds a slow answer takes.</summary>
    public int SlowResponseMs { get; init; } = 5000;

    /// <summary>Answer the next N calls with 500 whatever the rate (deterministic tests).</summary>
    public int FailNextCalls { get; init; }

    /// <summary>Fraction (0..1) of calls answered 429 (a throttling storm) with <see cref="RetryAfterSeconds"/>.</summary>
    public double ThrottleRate { get; init; }

    /// <summary>
    /// Real time until which every call is answered 503 with <see cref="RetryAfterSeconds"/> (an outage);
    /// <see cref="DateTimeOffset.MaxValue"/> keeps the instance down until the faults are replaced. Null for none.
    /// </summary>
    public DateTimeOffset? UnavailableUntil { get; init; }

    /// <summary>The Retry-After (real seconds) sent with injected 429 and outage 503 answers.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>True while the outage window is open at real time <paramref name="now"/>.</summary>
    public bool IsUnavailable(DateTimeOffset now) => UnavailableUntil is { } until && now < until;
}

/// <summary>Clone faults on a source instance: the clone goes to Hold or Error when it enters the named phase.</summary>
public sealed record CloneFaults
{
    /// <summary>Phase (e.g. "restore") at which a clone is put on hold; null for none.</summary>
    public string? HoldAtPhase { get; init; }

    /// <summary>Phase at which a clone fails with state error; null for none.</summary>
    public string? ErrorAtPhase { get; init; }
}
