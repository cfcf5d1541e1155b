using CloneFlow.Core.Approvals;

namespace CloneFlow.Core.Tests.Approvals;

public class ApproverPolicyTests
{
    private static readonly DateTimeOffset Now = ApprovalTestKeys.Now;
    private static readonly PendingApproval Pending = new("clone-dev-1", "dev", "plan", 1, "requester@contoso.com");

    private static ApproverPolicy Policy(ApprovalQuorum? quorum = null, bool separationOfDuties = true, bool requireSignIn = false) =>
        new("dev", "plan", ["Alice@Contoso.com", "bob@contoso.com", "carol@contoso.com", "requester@contoso.com"], quorum ?? ApprovalQuorum.AnyOne, separationOfDuties, requireSignIn);

    private static ApprovalClaims Claims(string approver = "alice@contoso.com", string run = "clone-dev-1", string gate = "plan", int round = 1) =>
        new(run, gate, round, approver, Now.AddDays(1), "tid-" + approver);

    private static ApprovalDecision Decision(ApprovalVerdict verdict, string approver, int minute, string? id = null) =>
        new(verdict, approver, string.Empty, id ?? $"{approver}-{minute}", Now.AddMinutes(minute));

    [Fact]
    public void An_allowed_approver_with_a_token_for_the_pending_round_is_allowed_whatever_the_case_of_their_address()
    {
        var result = Policy().Authorize(Claims("ALICE@contoso.COM"), Pending, signedInPrincipal: null);

        Assert.True(result.IsAllowed);
        Assert.Null(result.Reason);
    }

    [Fact]
    public void A_token_for_another_run_is_refused_as_wrong_run_with_403()
    {
        var result = Policy().Authorize(Claims(run: "clone-dev-2"), Pending, null);

        Assert.Equal(ApprovalRefusal.WrongRun, result.Refusal);
        Assert.Equal(403, ApprovalOutcome.HttpStatusFor(result.Refusal!.Value));
        Assert.Contains("clone-dev-2", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_for_another_gate_is_refused_as_wrong_gate()
    {
        Assert.Equal(ApprovalRefusal.WrongGate, Policy().Authorize(Claims(gate: "preview-problems"), Pending, null).Refusal);
    }

    [Fact]
    public void A_token_for_an_earlier_round_is_no_longer_pending_with_410()
    {
        var result = Policy().Authorize(Claims(round: 0), Pending, null);

        Assert.Equal(ApprovalRefusal.NoLongerPending, result.Refusal);
        Assert.Equal(410, ApprovalOutcome.HttpStatusFor(result.Refusal!.Value));
    }

    [Fact]
    public void Someone_not_on_the_approver_list_is_refused_even_with_a_genuine_token()
    {
        var result = Policy().Authorize(Claims("mallory@contoso.com"), Pending, null);

        Assert.Equal(ApprovalRefusal.NotAnAllowedApprover, result.Refusal);
        Assert.Equal(403, ApprovalOutcome.HttpStatusFor(result.Refusal!.Value));
    }

    [Fact]
    public void Under_separation_of_duties_the_requester_cannot_approve_their_own_run()
    {
        var result = Policy().Authorize(Claims("Requester@Contoso.com"), Pending, null);

        Assert.Equal(ApprovalRefusal.RequesterCannotApprove, result.Refusal);
        Assert.Equal(403, ApprovalOutcome.HttpStatusFor(result.Refusal!.Value));
    }

    [Fact]
    public void Without_separation_of_duties_the_requester_may_approve()
    {
        Assert.True(Policy(separationOfDuties: false).Authorize(Claims("requester@contoso.com"), Pending, null).IsAllowed);
    }

    [Fact]
    public void The_signed_in_principal_must_be_the_tokens_approver()
    {
        var policy = Policy(requireSignIn: true);

        var someoneElse = policy.Authorize(Claims("alice@contoso.com"), Pending, "bob@contoso.com");
        var theApprover = policy.Authorize(Claims("alice@contoso.com"), Pending, "Alice@Contoso.com");

        Assert.Equal(ApprovalRefusal.SignedInPrincipalMismatch, someoneElse.Refusal);
        Assert.Equal(403, ApprovalOutcome.HttpStatusFor(someoneElse.Refusal!.Value));
        Assert.True(theApprover.IsAllowed);
    }

    [Fact]
    public void When_sign_in_is_required_a_decision_without_a_principal_is_refused_with_401()
    {
        var result = Policy(requireSignIn: true).Authorize(Claims(), Pending, null);

        Assert.Equal(ApprovalRefusal.NotSignedIn, result.Refusal);
        Assert.Equal(401, ApprovalOutcome.HttpStatusFor(result.Refusal!.Value));
    }

    [Fact]
    public void A_signed_in_principal_is_checked_even_when_sign_in_is_not_required()
    {
        Assert.Equal(ApprovalRefusal.SignedInPrincipalMismatch, Policy().Authorize(Claims(), Pending, "bob@contoso.com").Refusal);
    }

    [Fact]
    public void Using_a_policy_for_another_gate_or_target_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => Policy().Authorize(Claims(), Pending with { Gate = "restore" }, null));
        Assert.Throws<ArgumentException>(() => Policy().Authorize(Claims(), Pending with { Target = "test" }, null));
    }

    [Fact]
    public void A_quorum_larger_than_the_approver_list_is_refused_when_the_policy_is_built()
    {
        var error = Assert.Throws<ArgumentException>(() => new ApproverPolicy("dev", "plan", ["a@x.com", "A@X.com"], ApprovalQuorum.DistinctCount(2)));

        Assert.Contains("lists 1 approver", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Separation_of_duties_can_make_a_quorum_unreachable_for_a_given_requester()
    {
        var policy = new ApproverPolicy("dev", "plan", ["a@x.com", "b@x.com"], ApprovalQuorum.DistinctCount(2));

        Assert.False(policy.CanReachQuorum("a@x.com"));
        Assert.True(policy.CanReachQuorum("c@x.com"));
    }

    [Fact]
    public void With_no_decisions_the_round_is_pending()
    {
        var tally = Policy().Tally([]);

        Assert.Equal(ApprovalTallyState.Pending, tally.State);
        Assert.Equal(1, tally.Required);
    }

    [Fact]
    public void Any_one_allowed_approval_approves_under_an_any_one_quorum()
    {
        var tally = Policy().Tally([Decision(ApprovalVerdict.Approve, "bob@contoso.com", 1)]);

        Assert.Equal(ApprovalTallyState.Approved, tally.State);
        Assert.Equal(["bob@contoso.com"], tally.ApprovedBy);
    }

    [Fact]
    public void A_distinct_count_quorum_needs_that_many_different_people()
    {
        var policy = Policy(ApprovalQuorum.DistinctCount(2));

        var one = policy.Tally([Decision(ApprovalVerdict.Approve, "alice@contoso.com", 1)]);
        var samePersonTwice = policy.Tally([Decision(ApprovalVerdict.Approve, "alice@contoso.com", 1), Decision(ApprovalVerdict.Approve, "ALICE@contoso.com", 2)]);
        var two = policy.Tally([Decision(ApprovalVerdict.Approve, "alice@contoso.com", 1), Decision(ApprovalVerdict.Approve, "bob@contoso.com", 2)]);

        Assert.Equal(ApprovalTallyState.Pending, one.State);
        Assert.Equal(ApprovalTallyState.Pending, samePersonTwice.State);
        Assert.Equal(ApprovalTallyState.Approved, two.State);
    }

    [Fact]
    public void A_redelivered_decision_with_the_same_id_counts_once()
    {
        var policy = Policy(ApprovalQuorum.DistinctCount(2));
        var decision = Decision(ApprovalVerdict.Approve, "alice@contoso.com", 1, id: "d-1");

        var tally = policy.Tally([decision, decision with { Approver = "bob@contoso.com" }]);

        Assert.Equal(ApprovalTallyState.Pending, tally.State);
        Assert.Equal(["alice@contoso.com"], tally.ApprovedBy);
    }

    [Fact]
    public void Any_rejection_by_an_allowed_approver_rejects_even_after_the_quorum_approved()
    {
        var tally = Policy().Tally([Decision(ApprovalVerdict.Approve, "alice@contoso.com", 1), Decision(ApprovalVerdict.Reject, "bob@contoso.com", 2)]);

        Assert.Equal(ApprovalTallyState.Rejected, tally.State);
        Assert.Equal(["bob@contoso.com"], tally.RejectedBy);
    }

    [Fact]
    public void Decisions_by_people_not_on_the_list_are_not_counted_either_way()
    {
        var tally = Policy().Tally([Decision(ApprovalVerdict.Reject, "mallory@contoso.com", 1), Decision(ApprovalVerdict.Approve, "eve@contoso.com", 2)]);

        Assert.Equal(ApprovalTallyState.Pending, tally.State);
        Assert.Empty(tally.ApprovedBy);
        Assert.Empty(tally.RejectedBy);
    }

    [Fact]
    public void A_persons_first_decision_counts_and_a_later_change_of_mind_is_ignored()
    {
        var tally = Policy().Tally([Decision(ApprovalVerdict.Reject, "alice@contoso.com", 5), Decision(ApprovalVerdict.Approve, "alice@contoso.com", 1)]);

        Assert.Equal(ApprovalTallyState.Approved, tally.State);
    }

    [Fact]
    public void Under_separation_of_duties_the_requesters_own_decision_is_not_counted()
    {
        var decisions = new[] { Decision(ApprovalVerdict.Approve, "requester@contoso.com", 1) };

        Assert.Equal(ApprovalTallyState.Pending, Policy().Tally(decisions, requester: "Requester@contoso.com").State);
        Assert.Equal(ApprovalTallyState.Approved, Policy(separationOfDuties: false).Tally(decisions, requester: "requester@contoso.com").State);
    }
}
