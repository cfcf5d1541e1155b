namespace CloneFlow.Core.Notifications;

/// <summary>
/// What became of a notification on each channel (and, for e-mail, each recipient). Failures are
/// results, not exceptions: a message that could not be sent never fails a run, it shows in its status.
/// </summary>
/// <param name="Deliveries">One entry per channel delivery attempt.</param>
public sealed record NotificationResult(IReadOnlyList<NotificationDelivery> Deliveries)
{
    /// <summary>True when there was at least one delivery and every one succeeded.</summary>
    public bool Delivered => Deliveries.Count > 0 && Deliveries.All(d => d.Delivered);

    /// <summary>The deliveries that failed.</summary>
    public IReadOnlyList<NotificationDelivery> Failures => [.. Deliveries.Where(d => !d.Delivered)];

    /// <summary>One result holding every delivery of <paramref name="results"/>.</summary>
    public static NotificationResult Combine(IEnumerable<NotificationResult> results) => new([.. results.SelectMany(r => r.Deliveries)]);

    /// <summary>A result of a single delivery.</summary>
    public static NotificationResult Of(NotificationDelivery delivery) => new([delivery]);
}

/// <summary>One delivery: the channel, the recipient where the channel is personal, how many attempts, and why it failed.</summary>
/// <param name="Channel">e.g. <c>teams</c>, <c>email</c>, <c>log</c>.</param>
/// <param name="Recipient">The recipient's address for personal channels; null for a channel post.</param>
/// <param name="Delivered">True when the service accepted the message.</param>
/// <param name="Attempts">How many times it was sent.</param>
/// <param name="FailureReason">Why it failed (status code, error code, secret name); never a URL, token or secret value.</param>
public sealed record NotificationDelivery(string Channel, string? Recipient, bool Delivered, int Attempts, string? FailureReason)
{
    /// <summary>An accepted delivery.</summary>
    public static NotificationDelivery Succeeded(string channel, string? recipient, int attempts) => new(channel, recipient, true, attempts, null);

    /// <summary>A failed delivery with its reason.</summary>
    public static NotificationDelivery Failed(string channel, string? recipient, int attempts, string reason) => new(channel, recipient, false, attempts, reason);
}
