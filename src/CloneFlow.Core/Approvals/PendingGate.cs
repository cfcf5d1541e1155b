namespace CloneFlow.Core.Approvals;

/// <summary>What a run is waiting on and the policy that governs it, as the host finds them for a token's run.</summary>
/// <param name="Pending">The gate round the run is waiting on.</param>
/// <param name="Policy">The approver policy for that target and gate.</param>
public sealed record PendingGate(PendingApproval Pending, ApproverPolicy Policy);
