using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runtime;

namespace CloneFlow.Core.Activities;

/// <summary>A message to send, as the orchestration describes it (addresses, no links with secrets).</summary>
/// <param name="Notification">The message.</param>
/// <param name="To">Who gets it.</param>
public sealed record NotifyRequest(Notification Notification, IReadOnlyList<string> To);

/// <summary>An approval prompt: each approver gets their own signed link.</summary>
/// <param name="Notification">The message (kind ApprovalRequest, Reminder or Escalation).</param>
/// <param name="Approvers">Who may decide.</param>
/// <param name="Lifetime">How long the links work.</param>
public sealed record ApprovalPrompt(Notification Notification, IReadOnlyList<string> Approvers, TimeSpan Lifetime);

/// <summary>Sends a notification; a failed delivery never fails the run (it returns false and shows in status).</summary>
public sealed class NotifyActivity(INotifier notifier) : CloneFlowActivity<NotifyRequest, bool>
{
    /// <inheritdoc />
    public override async Task<bool> ExecuteAsync(NotifyRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.To.Count == 0)
        {
            return true;
        }

        var result = await notifier.NotifyAsync(input.Notification, input.To.Select(a => new Recipient(a)).ToList(), CancellationToken.None);
        return result.Delivered;
    }
}

/// <summary>Issues each approver a signed single-use link and sends the prompt; the links never enter history.</summary>
public sealed class PromptApproversActivity(INotifier notifier, ApprovalLinks links) : CloneFlowActivity<ApprovalPrompt, PromptOutcome>
{
    /// <inheritdoc />
    public override async Task<PromptOutcome> ExecuteAsync(ApprovalPrompt input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var notification = input.Notification;
        var recipients = input.Approvers
            .Select(a => new Recipient(a, ApprovalLink: links.For(notification.RunId, notification.Gate!, notification.Round ?? 1, a, input.Lifetime)))
            .ToList();
        var result = await notifier.NotifyAsync(notification, recipients, CancellationToken.None);
        return new PromptOutcome(result.Delivered, [.. result.Deliveries.Where(d => d.Delivered).Select(d => d.Channel).Distinct(StringComparer.Ordinal)]);
    }
}

/// <summary>How a prompt went out: whether every channel delivered it, and which channels did.</summary>
/// <param name="Delivered">True when every delivery succeeded.</param>
/// <param name="Channels">The channels that delivered the links (<c>teams</c>, <c>email</c>, <c>console</c>, <c>log</c>).</param>
public sealed record PromptOutcome(bool Delivered, IReadOnlyList<string> Channels);
