using CloneFlow.Core.Approvals;

namespace CloneFlow.Core.Tests.Approvals;

public class InMemoryApprovalTokenLedgerTests
{
    private static ApprovalTokenUse Use(string approver = "alice@contoso.com") =>
        new("tid-1", "run-1", "plan", 1, approver, ApprovalVerdict.Approve, ApprovalTestKeys.Now);

    [Fact]
    public async Task The_first_consume_wins_and_a_replay_is_already_used_with_the_first_use()
    {
        var ledger = new InMemoryApprovalTokenLedger();

        var first = await ledger.TryConsumeAsync(Use(), CancellationToken.None);
        var replay = await ledger.TryConsumeAsync(Use("bob@contoso.com"), CancellationToken.None);

        Assert.Equal(TokenConsumeStatus.Consumed, first.Status);
        Assert.Equal(TokenConsumeStatus.AlreadyUsed, replay.Status);
        Assert.Equal(Use(), replay.PreviousUse);
        Assert.Equal(Use(), await ledger.FindAsync("tid-1", CancellationToken.None));
        Assert.Null(await ledger.FindAsync("tid-2", CancellationToken.None));
    }

    [Fact]
    public async Task Of_many_concurrent_consumes_of_one_token_exactly_one_wins()
    {
        var ledger = new InMemoryApprovalTokenLedger();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => ledger.TryConsumeAsync(Use($"p{i}@x.com"), CancellationToken.None))));

        Assert.Single(results, r => r.Status == TokenConsumeStatus.Consumed);
    }
}
