namespace CloneFlow.Core.Notifications;

/// <summary>How CloneFlow sends mail through Microsoft Graph (app-only <c>Mail.Send</c> as a configured mailbox).</summary>
public sealed record GraphMailOptions
{
    /// <summary>The scope of the app-only Graph token.</summary>
    public const string GraphScope = "https://graph.microsoft.com/.default";

    /// <summary>The mailbox (UPN or e-mail address) mail is sent as.</summary>
    public required string Sender { get; init; }

    /// <summary>Graph's base URL; a local receiver in tests, a national cloud where needed.</summary>
    public Uri GraphBaseUrl { get; init; } = new("https://graph.microsoft.com/");

    /// <summary>Retries and timeouts.</summary>
    public NotificationRetryOptions Retry { get; init; } = new();
}
