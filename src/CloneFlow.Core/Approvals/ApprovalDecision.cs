namespace CloneFlow.Core.Approvals;

/// <summary>Approve or reject.</summary>
public enum ApprovalVerdict
{
    /// <summary>Go ahead.</summary>
    Approve,

    /// <summary>Stop.</summary>
    Reject,
}

/// <summary>One person's decision on a gate's round, as recorded from the approval page.</summary>
/// <param name="Verdict">Approve or reject.</param>
/// <param name="Approver">Who decided (the token's approver).</param>
/// <param name="Comment">What they wrote; may be empty.</param>
/// <param name="DecisionId">Identifies the decision so a redelivered one is counted once (the token id serves).</param>
/// <param name="At">When it was made.</param>
public sealed record ApprovalDecision(ApprovalVerdict Verdict, string Approver, string Comment, string DecisionId, DateTimeOffset At);
