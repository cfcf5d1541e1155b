using CloneFlow.Core.Notifications;

namespace CloneFlow.Core.Tests.Notifications;

/// <summary>Notifications, recipients and fast retry settings for the notifier tests.</summary>
internal static class NotificationTestData
{
    public const string Hostile = "<script>alert(1)</script>";

    public static readonly NotificationRetryOptions FastRetry = new() { BaseDelay = TimeSpan.FromMilliseconds(10), MaxRetryAfter = TimeSpan.FromMilliseconds(100), AttemptTimeout = TimeSpan.FromSeconds(10) };

    public static readonly Recipient Alice = new("alice@contoso.com", "Alice Smith", new Uri("https://cloneflow.contoso.com/api/approvals/v1.k1.YWxpY2U.c2lnLWFsaWNl"));

    public static readonly Recipient Bob = new("bob@contoso.com", null, new Uri("https://cloneflow.contoso.com/api/approvals/v1.k1.Ym9i.c2lnLWJvYg"));

    public static Notification ApprovalRequest(string updateSetName = "Sprint 42 fixes") => new()
    {
        Kind = NotificationKind.ApprovalRequest,
        RunId = "clone-dev-20261125093000",
        Source = "prod",
        Target = "dev",
        Gate = "plan",
        Round = 1,
        Text = $"2 update sets to export, including {updateSetName}.",
        Facts = [new("Clone request", "CHG0012345"), new("Update sets", "2"), new("Largest set", updateSetName)],
        Links = [new NotificationLink("Run status", new Uri("https://cloneflow.contoso.com/runs/clone-dev-20261125093000"))],
    };
}
