namespace CloneFlow.Core.ServiceNow;

/// <summary>Tuning of a <see cref="ServiceNowClient"/>; the defaults suit a production instance.</summary>
public sealed record ServiceNowClientOptions
{
    /// <summary>Rows per Table API page (<c>sysparm_limit</c>).</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Records per Batch API call.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>Calls in flight at once against this instance (its API semaphores are small).</summary>
    public int MaxConcurrentRequests { get; init; } = 8;

    /// <summary>
    /// Long multi-page reads (exports) under way at once; by default <see cref="MaxConcurrentRequests"/>:
    /// readers which started finish soon instead of all inching along together, and each holds its blob
    /// buffers until it ends. Measured against the 8-slot simulator: 1.5x and 2x as many readers exported
    /// no faster (10k updates: 0.65-0.70 of the limit either way) and held 3 to 20 MB more memory (100k
    /// updates: 1k->100k growth 46 MB with 8 readers, 51-59 MB with 12). See <see cref="ServiceNowClient.TakeReadPlaceAsync"/>.
    /// </summary>
    public int? MaxConcurrentReads { get; init; }

    /// <summary>Retries of one call after a transient failure.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>First backoff delay (exponential with jitter after it).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest backoff between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest Retry-After (429, 503) the client waits itself. Longer waits (an hourly rate limit)
    /// surface as <see cref="ServiceNowException.RetryAfter"/> so the workflow waits on a durable timer.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Rounds of an idempotent insert: each round looks up which rows are missing and inserts only
    /// those, so rows whose insert had an uncertain outcome are never written twice.
    /// </summary>
    public int InsertRounds { get; init; } = 8;

    /// <summary>Timeout of one attempt.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Failure ratio over <see cref="CircuitSampling"/> that opens the circuit.</summary>
    public double CircuitFailureRatio { get; init; } = 0.5;

    /// <summary>Window over which the circuit breaker counts failures.</summary>
    public TimeSpan CircuitSampling { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls needed in the window before the circuit may open.</summary>
    public int CircuitMinimumThroughput { get; init; } = 20;

    /// <summary>How long an open circuit refuses calls before trying again.</summary>
    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Refresh an OAuth token this long before it expires.</summary>
    public TimeSpan TokenRefreshMargin { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws when a value cannot work.</summary>
    public void Validate()
    {
        if (PageSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, "PageSize must be between 1 and 10000 (ServiceNow's sysparm_limit).");
        }

        if (BatchSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be between 1 and 1000.");
        }

        if (MaxConcurrentRequests < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), MaxConcurrentRequests, "MaxConcurrentRequests must be at least 1.");
        }

        if (MaxConcurrentReads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentReads), MaxConcurrentReads, "MaxConcurrentReads must be at least 1.");
        }

        if (InsertRounds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(InsertRounds), InsertRounds, "InsertRounds must be at least 1.");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries cannot be negative.");
        }
    }
}
