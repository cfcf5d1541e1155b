namespace CloneFlow.Core.Approvals;

/// <summary>
/// The durable record that a token was used: who decided what (with the comment and the gate's
/// choices, so the decision can be passed to the run again if its first delivery was lost), on
/// which run, gate and round, and when. Holds no token or secret.
/// </summary>
/// <param name="TokenId">The consumed token's id.</param>
/// <param name="RunId">The run the decision was for.</param>
/// <param name="Gate">The gate.</param>
/// <param name="Round">The gate's round.</param>
/// <param name="Approver">Who decided.</param>
/// <param name="Verdict">What they decided.</param>
/// <param name="DecidedAt">When.</param>
/// <param name="Comment">What they wrote (null in records of earlier versions).</param>
/// <param name="Choices">The gate's choices (null in records of earlier versions).</param>
public sealed record ApprovalTokenUse(string TokenId, string RunId, string Gate, int Round, string Approver, ApprovalVerdict Verdict, DateTimeOffset DecidedAt, string? Comment = null, IReadOnlyDictionary<string, string>? Choices = null)
{
    /// <summary>The record for <paramref name="decision"/> made with the token of <paramref name="claims"/>.</summary>
    public static ApprovalTokenUse For(ApprovalClaims claims, ApprovalDecision decision, IReadOnlyDictionary<string, string>? choices = null)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(decision);
        return new(claims.TokenId, claims.RunId, claims.Gate, claims.Round, decision.Approver, decision.Verdict, decision.At, decision.Comment, choices ?? new Dictionary<string, string>());
    }

    /// <summary>The decision as recorded (its id is the token's, so the run counts it once however often it arrives).</summary>
    public ApprovalDecision Decision => new(Verdict, Approver, Comment ?? string.Empty, TokenId, DecidedAt);

    /// <summary>True when this use was of a token for the same run, gate and round as <paramref name="claims"/>.</summary>
    public bool IsFor(ApprovalClaims claims) =>
        claims is not null && TokenId == claims.TokenId && RunId == claims.RunId && Gate == claims.Gate && Round == claims.Round;

    /// <summary>True when <paramref name="other"/> records the same decision (how a read-back is checked).</summary>
    public bool SameDecisionAs(ApprovalTokenUse? other) =>
        other is not null && other.TokenId == TokenId && other.RunId == RunId && other.Gate == Gate && other.Round == Round
        && other.Approver == Approver && other.Verdict == Verdict && other.DecidedAt == DecidedAt && (other.Comment ?? string.Empty) == (Comment ?? string.Empty);
}
