using System.Globalization;

namespace CloneFlow.Core.Notifications;

/// <summary>The words of every message kind: subject, title, headline, default text, facts and buttons.</summary>
public static class NotificationTemplates
{
    /// <summary>The title of the approval button.</summary>
    public const string ReviewAndApprove = "Review and approve";

    /// <summary>
    /// Renders <paramref name="notification"/> for <paramref name="audience"/>: approval kinds get
    /// each audience member's approval link as a button (titled plainly when there is one, with the
    /// person's name when several share one message).
    /// </summary>
    public static RenderedNotification Render(Notification notification, IReadOnlyList<Recipient> audience)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(audience);
        var gate = notification.Gate ?? "approval";
        var title = notification.Kind switch
        {
            NotificationKind.FreezeNotice => $"Freeze: {notification.Target} will be cloned from {notification.Source}",
            NotificationKind.ApprovalRequest => $"Approval needed: {gate}",
            NotificationKind.Reminder => $"Reminder: approval still needed: {gate}",
            NotificationKind.Escalation => $"Escalation: approval overdue: {gate}",
            NotificationKind.CloneStarted => "Clone started",
            NotificationKind.CloneStalled => "Clone stalled",
            NotificationKind.CloneFailed => "Clone failed",
            NotificationKind.CloneCompleted => "Clone completed",
            NotificationKind.CancelRefused => "Cancel refused",
            NotificationKind.FinalReport => "Clone run report",
            _ => throw new ArgumentOutOfRangeException(nameof(notification), notification.Kind, "Unknown notification kind."),
        };
        var text = string.IsNullOrWhiteSpace(notification.Text) ? DefaultText(notification.Kind, notification.Target) : notification.Text;
        var headline = $"{notification.Source} → {notification.Target}";

        var facts = new List<NotificationFact> { new("Run", notification.RunId) };
        if (notification.Gate is not null)
        {
            facts.Add(new("Gate", notification.Gate));
        }

        if (notification.Round is { } round)
        {
            facts.Add(new("Round", round.ToString(CultureInfo.InvariantCulture)));
        }

        facts.AddRange(notification.Facts);

        var buttons = new List<NotificationLink>();
        if (IsApprovalKind(notification.Kind))
        {
            var approvers = audience.Where(r => r.ApprovalLink is not null).ToList();
            buttons.AddRange(approvers.Select(r => new NotificationLink(
                approvers.Count == 1 ? ReviewAndApprove : $"{ReviewAndApprove} ({r.DisplayName ?? r.Address})", r.ApprovalLink!)));
        }

        buttons.AddRange(notification.Links);
        return new RenderedNotification($"[CloneFlow] {title}: {headline} ({notification.RunId})", title, headline, text, facts, buttons);
    }

    /// <summary>True for the kinds that ask someone to decide.</summary>
    public static bool IsApprovalKind(NotificationKind kind) =>
        kind is NotificationKind.ApprovalRequest or NotificationKind.Reminder or NotificationKind.Escalation;

    private static string DefaultText(NotificationKind kind, string target) => kind switch
    {
        NotificationKind.FreezeNotice => $"{target} will be overwritten by a clone. CloneFlow exports in-flight update sets first; stop changing {target} until the run reports it is restored.",
        NotificationKind.ApprovalRequest => "CloneFlow is waiting for your decision. Open the link to review and approve or reject.",
        NotificationKind.Reminder => "This approval is still waiting for your decision.",
        NotificationKind.Escalation => "This approval has waited too long and is escalated to you.",
        NotificationKind.CloneStarted => $"The clone over {target} has been requested and is running.",
        NotificationKind.CloneStalled => "The clone has made no progress for longer than expected. CloneFlow keeps watching; check the clone in ServiceNow.",
        NotificationKind.CloneFailed => "The clone failed. The exports are kept in storage for a manual restore.",
        NotificationKind.CancelRefused => "The clone could not be canceled any more; CloneFlow restores the in-flight work when it ends.",
        NotificationKind.CloneCompleted => $"The clone finished. CloneFlow restores the in-flight work on {target} next.",
        NotificationKind.FinalReport => "The run is over. The report lists what was exported, restored and checked.",
        _ => string.Empty,
    };
}
