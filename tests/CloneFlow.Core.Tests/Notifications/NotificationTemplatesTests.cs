using CloneFlow.Core.Notifications;
using static CloneFlow.Core.Tests.Notifications.NotificationTestData;

namespace CloneFlow.Core.Tests.Notifications;

public class NotificationTemplatesTests
{
    private static Notification Of(NotificationKind kind) => ApprovalRequest() with { Kind = kind, Text = string.Empty };

    [Fact]
    public void Every_kind_has_a_subject_naming_source_target_and_run_a_title_and_a_default_text()
    {
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            var message = NotificationTemplates.Render(Of(kind), [Alice]);

            Assert.StartsWith("[CloneFlow] ", message.Subject, StringComparison.Ordinal);
            Assert.Contains("prod → dev", message.Subject, StringComparison.Ordinal);
            Assert.Contains("clone-dev-20261125093000", message.Subject, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(message.Title), kind.ToString());
            Assert.False(string.IsNullOrWhiteSpace(message.Text), kind.ToString());
            Assert.Equal("prod → dev", message.Headline);
        }

        Assert.Equal(
            Enum.GetValues<NotificationKind>().Length,
            Enum.GetValues<NotificationKind>().Select(k => NotificationTemplates.Render(Of(k), []).Title).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(NotificationKind.ApprovalRequest)]
    [InlineData(NotificationKind.Reminder)]
    [InlineData(NotificationKind.Escalation)]
    public void Approval_kinds_put_the_recipients_review_and_approve_link_first(NotificationKind kind)
    {
        var message = NotificationTemplates.Render(Of(kind), [Alice]);

        Assert.Equal("Review and approve", message.Buttons[0].Title);
        Assert.Equal(Alice.ApprovalLink, message.Buttons[0].Url);
        Assert.Contains("plan", message.Title, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NotificationKind.FreezeNotice)]
    [InlineData(NotificationKind.CloneStarted)]
    [InlineData(NotificationKind.CloneStalled)]
    [InlineData(NotificationKind.CloneFailed)]
    [InlineData(NotificationKind.CloneCompleted)]
    [InlineData(NotificationKind.FinalReport)]
    public void Other_kinds_never_carry_an_approval_link_even_when_the_recipient_has_one(NotificationKind kind)
    {
        var message = NotificationTemplates.Render(Of(kind), [Alice, Bob]);

        Assert.Equal(["Run status"], message.Buttons.Select(b => b.Title));
    }

    [Fact]
    public void The_text_given_replaces_the_default_and_facts_follow_run_gate_and_round()
    {
        var message = NotificationTemplates.Render(ApprovalRequest(), []);

        Assert.Equal("2 update sets to export, including Sprint 42 fixes.", message.Text);
        Assert.Equal(["Run", "Gate", "Round", "Clone request", "Update sets", "Largest set"], message.Facts.Select(f => f.Name));
    }

    [Fact]
    public void Messages_without_a_gate_show_no_gate_or_round_facts()
    {
        var message = NotificationTemplates.Render(Of(NotificationKind.CloneCompleted) with { Gate = null, Round = null, Facts = [] }, []);

        Assert.Equal(["Run"], message.Facts.Select(f => f.Name));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/relative/path")]
    public void A_link_that_is_not_absolute_http_or_https_is_refused(string url)
    {
        Assert.Throws<ArgumentException>(() => new NotificationLink("Open", new Uri(url, UriKind.RelativeOrAbsolute)));
    }
}
