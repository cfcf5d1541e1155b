using System.Diagnostics.CodeAnalysis;

namespace CloneFlow.Core.Approvals;

/// <summary>The answer to a decision submitted with a token: the recorded decision, or the refusal and the HTTP status and message for the page.</summary>
public sealed record ApprovalDecisionResult
{
    private ApprovalDecisionResult(ApprovalClaims? claims, ApprovalDecision? decision, ApprovalRefusal? refusal, string? reason, IReadOnlyDictionary<string, string>? choices = null, ApprovalTokenUse? earlier = null)
    {
        Claims = claims;
        Decision = decision;
        Refusal = refusal;
        Reason = reason;
        Choices = choices ?? new Dictionary<string, string>();
        Earlier = earlier;
    }

    /// <summary>The gate's choices recorded with the decision.</summary>
    public IReadOnlyDictionary<string, string> Choices { get; }

    /// <summary>
    /// For a link used before on the gate round the run still waits on: the decision recorded then,
    /// to pass to the run again (its first delivery may have been lost with a crash); null otherwise.
    /// </summary>
    public ApprovalTokenUse? Earlier { get; }

    /// <summary>The token's claims (null when the token itself was refused).</summary>
    public ApprovalClaims? Claims { get; }

    /// <summary>The decision to deliver to the run; null when refused.</summary>
    public ApprovalDecision? Decision { get; }

    /// <summary>Why it was refused; null when accepted.</summary>
    public ApprovalRefusal? Refusal { get; }

    /// <summary>The refusal in detail (for logs and the page); null when accepted.</summary>
    public string? Reason { get; }

    /// <summary>True when the token was consumed and the decision should be delivered.</summary>
    [MemberNotNullWhen(true, nameof(Decision), nameof(Claims))]
    [MemberNotNullWhen(false, nameof(Refusal), nameof(Reason))]
    public bool Accepted => Decision is not null;

    /// <summary>200 when accepted, otherwise the refusal's status (401, 403, 409 or 410).</summary>
    public int HttpStatus => Refusal is { } refusal ? ApprovalOutcome.HttpStatusFor(refusal) : 200;

    internal static ApprovalDecisionResult Recorded(ApprovalClaims claims, ApprovalDecision decision, IReadOnlyDictionary<string, string>? choices) => new(claims, decision, null, null, choices);

    internal static ApprovalDecisionResult AlreadyRecorded(ApprovalClaims claims, ApprovalTokenUse? earlier, string reason) =>
        new(claims, null, ApprovalRefusal.TokenAlreadyUsed, reason, earlier: earlier is not null && earlier.IsFor(claims) ? earlier : null);

    internal static ApprovalDecisionResult Refused(ApprovalClaims? claims, ApprovalRefusal refusal, string reason) => new(claims, null, refusal, reason);
}
