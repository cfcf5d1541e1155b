using System.Buffers.Text;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Tests.Support;
using Moq;

namespace CloneFlow.Core.Tests.Approvals;

/// <summary>The security cases end to end through token, policy and ledger: what the approval page will answer.</summary>
public class ApprovalDecisionRecorderTests
{
    private const string Run = "clone-dev-20261125093000";
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly ApprovalTokenService _tokens;
    private readonly ManualTimeProvider _clock;
    private readonly InMemoryApprovalTokenLedger _ledger = new();
    private readonly ApprovalDecisionRecorder _recorder;
    private readonly PendingGate _gate = new(
        new PendingApproval(Run, "dev", "plan", 1, "requester@contoso.com"),
        new ApproverPolicy("dev", "plan", ["alice@contoso.com", "bob@contoso.com", "requester@contoso.com"], ApprovalQuorum.DistinctCount(2)));

    public ApprovalDecisionRecorderTests()
    {
        (_tokens, _clock) = ApprovalTestKeys.Service();
        _recorder = new ApprovalDecisionRecorder(_tokens, _ledger, _clock);
    }

    private Task<ApprovalDecisionResult> DecideAsync(string token, string? principal = null, PendingGate? gate = null, bool runWaits = true, ApprovalVerdict verdict = ApprovalVerdict.Approve) =>
        _recorder.DecideAsync(token, verdict, "  looks good  ", principal, (_, _) => ValueTask.FromResult(runWaits ? gate ?? _gate : null), CancellationToken.None);

    private string Token(string approver = "alice@contoso.com", string run = Run, int round = 1, TimeSpan? lifetime = null) =>
        _tokens.Issue(run, "plan", round, approver, lifetime ?? Day).Value;

    [Fact]
    public async Task A_genuine_token_of_an_allowed_approver_records_the_decision_and_consumes_the_token()
    {
        var token = _tokens.Issue(Run, "plan", 1, "alice@contoso.com", Day);

        var result = await DecideAsync(token.Value);

        Assert.True(result.Accepted);
        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(new ApprovalDecision(ApprovalVerdict.Approve, "alice@contoso.com", "looks good", token.Claims.TokenId, ApprovalTestKeys.Now), result.Decision);
        Assert.Equal("alice@contoso.com", (await _ledger.FindAsync(token.Claims.TokenId, CancellationToken.None))!.Approver);
    }

    [Fact]
    public async Task A_forged_token_is_403_and_consumes_nothing()
    {
        var genuine = _tokens.Issue(Run, "plan", 1, "alice@contoso.com", Day);
        var parts = genuine.Value.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[3]);
        signature[^1] ^= 1;

        var result = await DecideAsync($"{parts[0]}.{parts[1]}.{parts[2]}.{Base64Url.EncodeToString(signature)}");

        Assert.Equal((ApprovalRefusal.TamperedToken, 403), (result.Refusal, result.HttpStatus));
        Assert.Null(result.Claims);
        Assert.Null(await _ledger.FindAsync(genuine.Claims.TokenId, CancellationToken.None));
        Assert.True((await DecideAsync(genuine.Value)).Accepted);
    }

    [Fact]
    public async Task A_replayed_decision_is_409_and_names_the_first_one()
    {
        var token = Token();
        await DecideAsync(token);

        var replay = await DecideAsync(token, verdict: ApprovalVerdict.Reject);

        Assert.Equal((ApprovalRefusal.TokenAlreadyUsed, 409), (replay.Refusal, replay.HttpStatus));
        Assert.Contains("Approve by alice@contoso.com", replay.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_while_the_run_still_waits_on_that_round_carries_the_first_decision_to_pass_on_again()
    {
        var token = _tokens.Issue(Run, "plan", 1, "alice@contoso.com", Day);
        var choices = new Dictionary<string, string> { ["action"] = "retry" };
        await _recorder.DecideAsync(token.Value, ApprovalVerdict.Approve, "first", choices, null, (_, _) => ValueTask.FromResult<PendingGate?>(_gate), CancellationToken.None);

        var replay = await _recorder.DecideAsync(token.Value, ApprovalVerdict.Reject, "second", null, null, (_, _) => ValueTask.FromResult<PendingGate?>(_gate), CancellationToken.None);

        Assert.Equal((ApprovalRefusal.TokenAlreadyUsed, 409), (replay.Refusal, replay.HttpStatus));
        Assert.False(replay.Accepted);
        Assert.Equal(new ApprovalDecision(ApprovalVerdict.Approve, "alice@contoso.com", "first", token.Claims.TokenId, ApprovalTestKeys.Now), replay.Earlier!.Decision);
        Assert.Equal(choices, replay.Earlier.Choices);
    }

    [Fact]
    public async Task A_decision_the_ledger_does_not_give_back_as_written_is_not_recorded()
    {
        var forgetful = new Mock<IApprovalTokenLedger>();
        forgetful.Setup(l => l.TryConsumeAsync(It.IsAny<ApprovalTokenUse>(), It.IsAny<CancellationToken>())).ReturnsAsync(new TokenConsumeResult(TokenConsumeStatus.Consumed));
        forgetful.Setup(l => l.FindAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((ApprovalTokenUse?)null);
        var recorder = new ApprovalDecisionRecorder(_tokens, forgetful.Object, _clock);

        var result = await recorder.DecideAsync(Token(), ApprovalVerdict.Approve, "ok", null, (_, _) => ValueTask.FromResult<PendingGate?>(_gate), CancellationToken.None);

        Assert.Equal((ApprovalRefusal.NotRecorded, 503), (result.Refusal, result.HttpStatus));
        Assert.Null(result.Decision);
        Assert.Contains("decide again", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_simultaneous_submissions_of_one_token_record_exactly_one_decision()
    {
        var token = Token();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => DecideAsync(token))));

        Assert.Single(results, r => r.Accepted);
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal(409, r.HttpStatus));
    }

    [Fact]
    public async Task An_expired_token_is_410()
    {
        var token = Token(lifetime: TimeSpan.FromMinutes(10));
        _clock.Advance(TimeSpan.FromMinutes(10));

        var result = await DecideAsync(token);

        Assert.Equal((ApprovalRefusal.ExpiredToken, 410), (result.Refusal, result.HttpStatus));
    }

    [Fact]
    public async Task A_token_for_a_run_that_no_longer_waits_is_410_and_stays_unused()
    {
        var token = _tokens.Issue(Run, "plan", 1, "alice@contoso.com", Day);

        var result = await DecideAsync(token.Value, runWaits: false);

        Assert.Equal((ApprovalRefusal.NoLongerPending, 410), (result.Refusal, result.HttpStatus));
        Assert.Null(await _ledger.FindAsync(token.Claims.TokenId, CancellationToken.None));
    }

    [Fact]
    public async Task A_token_of_someone_not_allowed_is_403_and_stays_unused()
    {
        var token = _tokens.Issue(Run, "plan", 1, "mallory@contoso.com", Day);

        var result = await DecideAsync(token.Value);

        Assert.Equal((ApprovalRefusal.NotAnAllowedApprover, 403), (result.Refusal, result.HttpStatus));
        Assert.Null(await _ledger.FindAsync(token.Claims.TokenId, CancellationToken.None));
    }

    [Fact]
    public async Task A_token_for_another_run_is_403()
    {
        // The host found a pending gate for a different run than the token names (e.g. a token pasted into another run's page).
        var result = await DecideAsync(Token(run: "clone-test-20261125100000"));

        Assert.Equal((ApprovalRefusal.WrongRun, 403), (result.Refusal, result.HttpStatus));
    }

    [Fact]
    public async Task Another_signed_in_person_using_an_approvers_link_is_403()
    {
        var result = await DecideAsync(Token("alice@contoso.com"), principal: "bob@contoso.com");

        Assert.Equal((ApprovalRefusal.SignedInPrincipalMismatch, 403), (result.Refusal, result.HttpStatus));
    }

    [Fact]
    public async Task The_requester_cannot_approve_their_own_run()
    {
        var result = await DecideAsync(Token("requester@contoso.com"));

        Assert.Equal((ApprovalRefusal.RequesterCannotApprove, 403), (result.Refusal, result.HttpStatus));
    }

    [Fact]
    public async Task A_very_long_comment_is_cut_to_the_limit()
    {
        var result = await _recorder.DecideAsync(Token(), ApprovalVerdict.Reject, new string('x', 5000), null, (_, _) => ValueTask.FromResult<PendingGate?>(_gate), CancellationToken.None);

        Assert.Equal(ApprovalDecisionRecorder.MaxCommentLength, result.Decision!.Comment.Length);
    }
}
