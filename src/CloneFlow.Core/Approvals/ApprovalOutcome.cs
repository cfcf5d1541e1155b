namespace CloneFlow.Core.Approvals;

/// <summary>
/// The HTTP answer the approval page gives for each refusal, in one place so every host answers
/// alike: 403 for a token that is not genuine or not this person's, 410 for one that is genuine but
/// no longer usable, 409 for a replayed decision, 401 when sign-in is missing.
/// </summary>
public static class ApprovalOutcome
{
    /// <summary>The refusal a token check leads to; null for a valid token.</summary>
    public static ApprovalRefusal? RefusalFor(ApprovalTokenStatus status) => status switch
    {
        ApprovalTokenStatus.Valid => null,
        ApprovalTokenStatus.Malformed => ApprovalRefusal.MalformedToken,
        ApprovalTokenStatus.UnknownKey => ApprovalRefusal.UnknownKey,
        ApprovalTokenStatus.Tampered => ApprovalRefusal.TamperedToken,
        ApprovalTokenStatus.Expired => ApprovalRefusal.ExpiredToken,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown token status."),
    };

    /// <summary>The HTTP status for a refusal.</summary>
    public static int HttpStatusFor(ApprovalRefusal refusal) => refusal switch
    {
        ApprovalRefusal.MalformedToken or ApprovalRefusal.UnknownKey or ApprovalRefusal.TamperedToken
            or ApprovalRefusal.WrongRun or ApprovalRefusal.WrongGate or ApprovalRefusal.NotAnAllowedApprover
            or ApprovalRefusal.RequesterCannotApprove or ApprovalRefusal.SignedInPrincipalMismatch => 403,
        ApprovalRefusal.ExpiredToken or ApprovalRefusal.NoLongerPending => 410,
        ApprovalRefusal.TokenAlreadyUsed => 409,
        ApprovalRefusal.NotSignedIn => 401,
        ApprovalRefusal.NotRecorded => 503,
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "Unknown refusal."),
    };

    /// <summary>
    /// What the page tells the person. Token problems get fixed wording that reveals nothing about
    /// why a forged token failed; policy refusals carry their reason.
    /// </summary>
    public static string MessageFor(ApprovalRefusal refusal) => refusal switch
    {
        ApprovalRefusal.MalformedToken or ApprovalRefusal.UnknownKey or ApprovalRefusal.TamperedToken =>
            "This approval link is not valid. Use the link from the newest CloneFlow message.",
        ApprovalRefusal.ExpiredToken => "This approval link has expired. Ask the run's owner for a new one.",
        ApprovalRefusal.NoLongerPending => "This approval is no longer pending: it was decided, replaced by a newer request, or the run ended.",
        ApprovalRefusal.TokenAlreadyUsed => "A decision was already recorded with this link; it can be used only once.",
        ApprovalRefusal.WrongRun or ApprovalRefusal.WrongGate => "This approval link belongs to another approval.",
        ApprovalRefusal.NotAnAllowedApprover => "You are not an approver for this approval.",
        ApprovalRefusal.RequesterCannotApprove => "You requested this run, so another approver must decide.",
        ApprovalRefusal.NotSignedIn => "Sign in to record your decision.",
        ApprovalRefusal.SignedInPrincipalMismatch => "This approval link was sent to someone else; sign in as that person.",
        ApprovalRefusal.NotRecorded => "Your decision was not recorded: CloneFlow could not store it. Nothing was decided; open the link again and decide again.",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "Unknown refusal."),
    };
}
