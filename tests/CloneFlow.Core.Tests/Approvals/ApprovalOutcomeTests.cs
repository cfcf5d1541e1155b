using CloneFlow.Core.Approvals;

namespace CloneFlow.Core.Tests.Approvals;

public class ApprovalOutcomeTests
{
    [Theory]
    [InlineData(ApprovalTokenStatus.Malformed, 403)]
    [InlineData(ApprovalTokenStatus.UnknownKey, 403)]
    [InlineData(ApprovalTokenStatus.Tampered, 403)]
    [InlineData(ApprovalTokenStatus.Expired, 410)]
    public void Token_problems_map_to_403_when_not_genuine_and_410_when_expired(ApprovalTokenStatus status, int httpStatus)
    {
        Assert.Equal(httpStatus, ApprovalOutcome.HttpStatusFor(ApprovalOutcome.RefusalFor(status)!.Value));
    }

    [Fact]
    public void A_valid_token_is_no_refusal()
    {
        Assert.Null(ApprovalOutcome.RefusalFor(ApprovalTokenStatus.Valid));
    }

    [Theory]
    [InlineData(ApprovalRefusal.TokenAlreadyUsed, 409)]
    [InlineData(ApprovalRefusal.NoLongerPending, 410)]
    [InlineData(ApprovalRefusal.WrongRun, 403)]
    [InlineData(ApprovalRefusal.SignedInPrincipalMismatch, 403)]
    [InlineData(ApprovalRefusal.NotSignedIn, 401)]
    [InlineData(ApprovalRefusal.NotRecorded, 503)]
    public void Replays_are_409_stale_approvals_410_and_unkept_decisions_503(ApprovalRefusal refusal, int httpStatus)
    {
        Assert.Equal(httpStatus, ApprovalOutcome.HttpStatusFor(refusal));
    }

    [Fact]
    public void Every_refusal_has_a_status_and_a_message_for_the_page()
    {
        foreach (var refusal in Enum.GetValues<ApprovalRefusal>())
        {
            var status = ApprovalOutcome.HttpStatusFor(refusal);
            Assert.True(status is 401 or 403 or 409 or 410 or 503, $"{refusal}: {status}");
            Assert.False(string.IsNullOrWhiteSpace(ApprovalOutcome.MessageFor(refusal)));
        }
    }

    [Fact]
    public void Forged_tampered_and_unknown_key_tokens_get_the_same_message_so_a_forger_learns_nothing()
    {
        var messages = new[] { ApprovalRefusal.MalformedToken, ApprovalRefusal.UnknownKey, ApprovalRefusal.TamperedToken }.Select(ApprovalOutcome.MessageFor).Distinct(StringComparer.Ordinal);

        Assert.Single(messages);
    }
}
