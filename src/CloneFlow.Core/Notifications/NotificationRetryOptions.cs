namespace CloneFlow.Core.Notifications;

/// <summary>How hard a notifier tries: a few attempts with short backoff, because a late message is better than a stuck run.</summary>
public sealed record NotificationRetryOptions
{
    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The wait before the second attempt; doubled before each later one.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a <c>Retry-After</c> header is honoured; longer ones are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
