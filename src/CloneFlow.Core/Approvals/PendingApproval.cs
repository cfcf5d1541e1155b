namespace CloneFlow.Core.Approvals;

/// <summary>The gate round a run is waiting on right now, as the run's status reports it; a decision must be for exactly this.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The instance being cloned over (policies are per target).</param>
/// <param name="Gate">The gate waiting for decisions.</param>
/// <param name="Round">The round being asked.</param>
/// <param name="Requester">Who asked for the run (separation of duties keeps them from approving it).</param>
public sealed record PendingApproval(string RunId, string Target, string Gate, int Round, string Requester);
