namespace CloneFlow.Core.Approvals;

/// <summary>
/// Who may approve one gate for one target, how many must, and whether the person who asked for the
/// run may approve it. Approvers are e-mail addresses or UPNs, compared without regard to case.
/// </summary>
public sealed class ApproverPolicy
{
    private static readonly StringComparer People = StringComparer.OrdinalIgnoreCase;

    private readonly HashSet<string> _approvers;

    /// <summary>Creates the policy; the quorum must be reachable with the listed approvers.</summary>
    public ApproverPolicy(string target, string gate, IEnumerable<string> approvers, ApprovalQuorum quorum, bool separationOfDuties = true, bool requireSignedInPrincipal = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(gate);
        ArgumentNullException.ThrowIfNull(approvers);
        ArgumentNullException.ThrowIfNull(quorum);
        _approvers = new HashSet<string>(approvers.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()), People);
        if (_approvers.Count < quorum.Required)
        {
            throw new ArgumentException($"The approval policy for gate '{gate}' on '{target}' needs {quorum} but lists {_approvers.Count} approver(s); add approvers or lower the quorum.", nameof(quorum));
        }

        Target = target;
        Gate = gate;
        Quorum = quorum;
        SeparationOfDuties = separationOfDuties;
        RequireSignedInPrincipal = requireSignedInPrincipal;
    }

    /// <summary>The instance the policy applies to.</summary>
    public string Target { get; }

    /// <summary>The gate the policy applies to.</summary>
    public string Gate { get; }

    /// <summary>The people who may decide.</summary>
    public IReadOnlyCollection<string> Approvers => _approvers;

    /// <summary>How many must approve.</summary>
    public ApprovalQuorum Quorum { get; }

    /// <summary>When true, the run's requester cannot approve (or reject) their own run.</summary>
    public bool SeparationOfDuties { get; }

    /// <summary>When true (behind Easy Auth), a decision needs a signed-in principal.</summary>
    public bool RequireSignedInPrincipal { get; }

    /// <summary>True when <paramref name="person"/> is one of the allowed approvers.</summary>
    public bool IsAllowedApprover(string? person) => !string.IsNullOrWhiteSpace(person) && _approvers.Contains(person.Trim());

    /// <summary>True when enough allowed approvers other than the requester (under separation of duties) exist to reach the quorum.</summary>
    public bool CanReachQuorum(string requester) =>
        _approvers.Count(a => !SeparationOfDuties || !People.Equals(a, requester?.Trim())) >= Quorum.Required;

    /// <summary>
    /// Decides whether the holder of a valid token may record a decision on <paramref name="pending"/>.
    /// <paramref name="signedInPrincipal"/> is the Easy Auth principal (e-mail or UPN), or null without sign-in.
    /// </summary>
    public ApprovalAuthorization Authorize(ApprovalClaims claims, PendingApproval pending, string? signedInPrincipal)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(pending);
        if (!string.Equals(pending.Target, Target, StringComparison.OrdinalIgnoreCase) || !string.Equals(pending.Gate, Gate, StringComparison.Ordinal))
        {
            throw new ArgumentException($"This policy is for gate '{Gate}' on '{Target}', not gate '{pending.Gate}' on '{pending.Target}'.", nameof(pending));
        }

        if (!string.Equals(claims.RunId, pending.RunId, StringComparison.Ordinal))
        {
            return ApprovalAuthorization.Refused(ApprovalRefusal.WrongRun, $"This link is for run {claims.RunId}, not run {pending.RunId}.");
        }

        if (!string.Equals(claims.Gate, pending.Gate, StringComparison.Ordinal))
        {
            return ApprovalAuthorization.Refused(ApprovalRefusal.WrongGate, $"This link is for the '{claims.Gate}' approval, not '{pending.Gate}'.");
        }

        if (claims.Round != pending.Round)
        {
            return ApprovalAuthorization.Refused(ApprovalRefusal.NoLongerPending, $"This link is for round {claims.Round} of the '{claims.Gate}' approval, which is no longer pending (round {pending.Round} is); use the newest link.");
        }

        if (RequireSignedInPrincipal && string.IsNullOrWhiteSpace(signedInPrincipal))
        {
            return ApprovalAuthorization.Refused(ApprovalRefusal.NotSignedIn, "Sign in to record a decision.");
        }

        if (signedInPrincipal is not null && !People.Equals(signedInPrincipal.Trim(), claims.Approver.Trim()))
        {
            return ApprovalAuthorization.Refused(ApprovalRefusal.SignedInPrincipalMismatch, $"This link was sent to {claims.Approver}; you are signed in as {signedInPrincipal}.");
        }

        if (!IsAllowedApprover(claims.Approver))
        {
            return ApprovalAuthorization.Refused(ApprovalRefusal.NotAnAllowedApprover, $"{claims.Approver} is not an approver for the '{Gate}' approval on {Target}.");
        }

        if (SeparationOfDuties && People.Equals(claims.Approver.Trim(), pending.Requester.Trim()))
        {
            return ApprovalAuthorization.Refused(ApprovalRefusal.RequesterCannotApprove, $"{claims.Approver} requested this run and cannot decide on it; another approver must.");
        }

        return ApprovalAuthorization.Allowed;
    }

    /// <summary>
    /// Counts a round's decisions: a decision id or a person counts once (their first decision), only
    /// allowed approvers count (and, under separation of duties, not <paramref name="requester"/>),
    /// any rejection rejects, and the quorum of distinct approvals approves.
    /// </summary>
    public ApprovalTally Tally(IEnumerable<ApprovalDecision> decisions, string? requester = null)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var seenDecisions = new HashSet<string>(StringComparer.Ordinal);
        var seenPeople = new HashSet<string>(People);
        var approved = new List<string>();
        var rejected = new List<string>();
        foreach (var decision in decisions.OrderBy(d => d.At))
        {
            var person = decision.Approver?.Trim();
            if (!seenDecisions.Add(decision.DecisionId) || !IsAllowedApprover(person)
                || (SeparationOfDuties && requester is not null && People.Equals(person, requester.Trim()))
                || !seenPeople.Add(person!))
            {
                continue;
            }

            (decision.Verdict == ApprovalVerdict.Approve ? approved : rejected).Add(person!);
        }

        var state = rejected.Count > 0 ? ApprovalTallyState.Rejected
            : approved.Count >= Quorum.Required ? ApprovalTallyState.Approved
            : ApprovalTallyState.Pending;
        return new ApprovalTally(state, approved, rejected, Quorum.Required);
    }
}
