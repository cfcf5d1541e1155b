namespace CloneFlow.Core.Notifications;

/// <summary>
/// A person a message is for. <see cref="ApprovalLink"/> is their own approval-page link, whose
/// token is bound to them; e-mail sends it to them alone, a Teams channel card shows one button per approver.
/// </summary>
/// <param name="Address">E-mail address or UPN.</param>
/// <param name="DisplayName">The name to show, if known.</param>
/// <param name="ApprovalLink">Their approval-page link, for approval requests, reminders and escalations.</param>
public sealed record Recipient(string Address, string? DisplayName = null, Uri? ApprovalLink = null)
{
    /// <summary>Describes the recipient without the approval link (its token is a credential).</summary>
    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";
}
