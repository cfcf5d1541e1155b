using System.Collections.Concurrent;

namespace CloneFlow.Core.Approvals;

/// <summary>A ledger in process memory, for unit tests: single use holds only while the process lives.</summary>
public sealed class InMemoryApprovalTokenLedger : IApprovalTokenLedger
{
    private readonly ConcurrentDictionary<string, ApprovalTokenUse> _uses = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<TokenConsumeResult> TryConsumeAsync(ApprovalTokenUse use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = _uses.GetOrAdd(use.TokenId, use);
        return Task.FromResult(ReferenceEquals(stored, use)
            ? new TokenConsumeResult(TokenConsumeStatus.Consumed)
            : new TokenConsumeResult(TokenConsumeStatus.AlreadyUsed, stored));
    }

    /// <inheritdoc />
    public Task<ApprovalTokenUse?> FindAsync(string tokenId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_uses.TryGetValue(tokenId, out var use) ? use : null);
    }
}
