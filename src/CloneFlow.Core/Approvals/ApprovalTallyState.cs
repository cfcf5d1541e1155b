namespace CloneFlow.Core.Approvals;

/// <summary>Where a gate's round stands after counting its decisions.</summary>
public enum ApprovalTallyState
{
    /// <summary>Not enough approvals yet and no rejection.</summary>
    Pending,

    /// <summary>The quorum approved and nobody allowed rejected.</summary>
    Approved,

    /// <summary>An allowed approver rejected.</summary>
    Rejected,
}

/// <summary>The count of a round's decisions.</summary>
/// <param name="State">Pending, approved or rejected.</param>
/// <param name="ApprovedBy">The distinct allowed approvers who approved, in decision order.</param>
/// <param name="RejectedBy">The distinct allowed approvers who rejected, in decision order.</param>
/// <param name="Required">How many approvals the quorum needs.</param>
public sealed record ApprovalTally(ApprovalTallyState State, IReadOnlyList<string> ApprovedBy, IReadOnlyList<string> RejectedBy, int Required);
