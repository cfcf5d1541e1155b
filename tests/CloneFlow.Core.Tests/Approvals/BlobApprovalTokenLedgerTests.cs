using Azure.Storage.Blobs;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.Approvals;

public sealed class BlobApprovalTokenLedgerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private BlobContainerClient NewContainer() => new(azurite.ConnectionString, "ledger-" + Guid.NewGuid().ToString("N"));

    private static ApprovalTokenUse Use(string tokenId, string approver = "alice@contoso.com", ApprovalVerdict verdict = ApprovalVerdict.Approve) =>
        new(tokenId, "clone-dev-20261125093000", "plan", 1, approver, verdict, ApprovalTestKeys.Now);

    [Fact]
    public async Task Consuming_creates_the_container_and_a_blob_named_for_the_token_holding_who_decided_and_when()
    {
        var container = NewContainer();
        var ledger = new BlobApprovalTokenLedger(container);
        var (service, _) = ApprovalTestKeys.Service();
        var token = service.Issue("clone-dev-20261125093000", "plan", 1, "alice@contoso.com", TimeSpan.FromDays(1));

        var result = await ledger.TryConsumeAsync(Use(token.Claims.TokenId), CancellationToken.None);

        Assert.Equal(TokenConsumeStatus.Consumed, result.Status);
        var blob = container.GetBlobClient($"approvals/consumed/{token.Claims.TokenId}");
        var content = (await blob.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("\"approver\":\"alice@contoso.com\"", content, StringComparison.Ordinal);
        Assert.Contains("\"verdict\":\"Approve\"", content, StringComparison.Ordinal);
        Assert.Contains("\"decidedAt\":\"2026-11-25T09:30:00+00:00\"", content, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Value.Split('.')[3], content, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Value.Split('.')[2], content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_consume_is_already_used_and_reports_the_first_decision()
    {
        var ledger = new BlobApprovalTokenLedger(NewContainer());

        await ledger.TryConsumeAsync(Use("tid-replay"), CancellationToken.None);
        var replay = await ledger.TryConsumeAsync(Use("tid-replay", "bob@contoso.com", ApprovalVerdict.Reject), CancellationToken.None);

        Assert.Equal(TokenConsumeStatus.AlreadyUsed, replay.Status);
        Assert.Equal(Use("tid-replay"), replay.PreviousUse);
    }

    [Fact]
    public async Task The_comment_and_the_gates_choices_are_kept_so_the_decision_can_be_passed_on_again()
    {
        var ledger = new BlobApprovalTokenLedger(NewContainer());
        var use = Use("tid-choices") with { Comment = "skip the stale one", Choices = new Dictionary<string, string> { ["p1"] = "skip", ["p2"] = "accept" } };

        await ledger.TryConsumeAsync(use, CancellationToken.None);
        var stored = await ledger.FindAsync("tid-choices", CancellationToken.None);

        Assert.True(use.SameDecisionAs(stored));
        Assert.Equal(new Dictionary<string, string> { ["p1"] = "skip", ["p2"] = "accept" }, stored!.Choices);
        Assert.Equal(new ApprovalDecision(ApprovalVerdict.Approve, "alice@contoso.com", "skip the stale one", "tid-choices", ApprovalTestKeys.Now), stored.Decision);
    }

    [Fact]
    public async Task Single_use_survives_a_new_ledger_instance_because_it_lives_in_storage()
    {
        var container = NewContainer();
        await new BlobApprovalTokenLedger(container).TryConsumeAsync(Use("tid-durable"), CancellationToken.None);

        var later = new BlobApprovalTokenLedger(new BlobContainerClient(azurite.ConnectionString, container.Name));

        Assert.Equal(TokenConsumeStatus.AlreadyUsed, (await later.TryConsumeAsync(Use("tid-durable"), CancellationToken.None)).Status);
        Assert.Equal(Use("tid-durable"), await later.FindAsync("tid-durable", CancellationToken.None));
        Assert.Null(await later.FindAsync("tid-never-used", CancellationToken.None));
    }

    [Fact]
    public async Task Of_concurrent_consumes_of_one_token_through_separate_clients_exactly_one_wins()
    {
        var container = NewContainer();
        await container.CreateAsync();
        var ledgers = Enumerable.Range(0, 8).Select(_ => new BlobApprovalTokenLedger(new BlobContainerClient(azurite.ConnectionString, container.Name))).ToList();

        for (var round = 0; round < 5; round++)
        {
            var tokenId = $"tid-race-{round}";
            // Every consumer waits on one gate, so all requests leave together.
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racing = ledgers.Select(async (ledger, i) =>
            {
                await start.Task;
                return await ledger.TryConsumeAsync(Use(tokenId, $"p{i}@contoso.com"), CancellationToken.None);
            }).ToList();
            start.SetResult();
            var results = await Task.WhenAll(racing);

            var winner = Assert.Single(results, r => r.Status == TokenConsumeStatus.Consumed);
            Assert.Equal(ledgers.Count - 1, results.Count(r => r.Status == TokenConsumeStatus.AlreadyUsed));
            var stored = await ledgers[0].FindAsync(tokenId, CancellationToken.None);
            Assert.All(results.Where(r => r != winner), r => Assert.Equal(stored, r.PreviousUse));
        }
    }

    [Fact]
    public async Task A_token_id_that_could_name_another_blob_is_refused_before_storage_is_touched()
    {
        var ledger = new BlobApprovalTokenLedger(NewContainer());

        await Assert.ThrowsAsync<ArgumentException>(() => ledger.TryConsumeAsync(Use("../../runs/x"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => ledger.FindAsync("a/b", CancellationToken.None));
    }
}
