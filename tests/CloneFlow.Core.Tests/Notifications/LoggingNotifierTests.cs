using CloneFlow.Core.Notifications;
using CloneFlow.Core.Tests.Support;
using static CloneFlow.Core.Tests.Notifications.NotificationTestData;

namespace CloneFlow.Core.Tests.Notifications;

public class LoggingNotifierTests
{
    [Fact]
    public async Task Logs_the_subject_recipients_and_facts_but_not_approval_links_by_default()
    {
        var log = new ListLogger<LoggingNotifier>();

        var result = await new LoggingNotifier(log).NotifyAsync(ApprovalRequest(), [Alice, Bob], CancellationToken.None);

        Assert.True(result.Delivered);
        var line = Assert.Single(log.Lines);
        Assert.Contains("[CloneFlow] Approval needed: plan: prod → dev", line, StringComparison.Ordinal);
        Assert.Contains("Alice Smith <alice@contoso.com>, bob@contoso.com", line, StringComparison.Ordinal);
        Assert.Contains("Clone request: CHG0012345", line, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/approvals/", log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_console_can_opt_in_to_see_each_approvers_link()
    {
        var log = new ListLogger<LoggingNotifier>();

        await new LoggingNotifier(log, includeApprovalLinks: true).NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.Contains(log.Lines, l => l.Contains(Alice.ApprovalLink!.AbsoluteUri, StringComparison.Ordinal));
    }

    [Fact]
    public void A_recipient_printed_anywhere_shows_no_approval_link()
    {
        Assert.Equal("Alice Smith <alice@contoso.com>", Alice.ToString());
        Assert.Equal("alice@contoso.com", (Alice with { DisplayName = null }).ToString());
    }
}
