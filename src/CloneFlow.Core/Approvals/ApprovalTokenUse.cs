namespace CloneFlow.Core.Approvals;

/// <summary>The durable record that a token was used: who decided what, on which run, gate and round, and when. Holds no token or secret.</summary>
/// <param name="TokenId">The consumed token's id.</param>
/// <param name="RunId">The run the decision was for.</param>
/// <param name="Gate">The gate.</param>
/// <param name="Round">The gate's round.</param>
/// <param name="Approver">Who decided.</param>
/// <param name="Verdict">What they decided.</param>
/// <param name="DecidedAt">When.</param>
public sealed record ApprovalTokenUse(string TokenId, string RunId, string Gate, int Round, string Approver, ApprovalVerdict Verdict, DateTimeOffset DecidedAt)
{
    /// <summary>The record for <paramref name="decision"/> made with the token of <paramref name="claims"/>.</summary>
    public static ApprovalTokenUse For(ApprovalClaims claims, ApprovalDecision decision)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(decision);
        return new(claims.TokenId, claims.RunId, claims.Gate, claims.Round, decision.Approver, decision.Verdict, decision.At);
    }
}
