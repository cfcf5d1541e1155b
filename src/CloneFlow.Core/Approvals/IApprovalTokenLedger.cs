namespace CloneFlow.Core.Approvals;

/// <summary>
/// Makes approval tokens single-use: the first decision made with a token consumes it, durably and
/// atomically, so a replayed or concurrent second decision with the same token is refused.
/// </summary>
public interface IApprovalTokenLedger
{
    /// <summary>Consumes the token of <paramref name="use"/>; exactly one of any number of concurrent calls for one token id gets <see cref="TokenConsumeStatus.Consumed"/>.</summary>
    Task<TokenConsumeResult> TryConsumeAsync(ApprovalTokenUse use, CancellationToken cancellationToken);

    /// <summary>The recorded use of a token, or null when it has not been used.</summary>
    Task<ApprovalTokenUse?> FindAsync(string tokenId, CancellationToken cancellationToken);
}

/// <summary>Whether a consume call won.</summary>
public enum TokenConsumeStatus
{
    /// <summary>This call consumed the token: record the decision.</summary>
    Consumed,

    /// <summary>The token had been used before: a replay (HTTP 409).</summary>
    AlreadyUsed,
}

/// <summary>The result of consuming a token; <see cref="PreviousUse"/> is the earlier use when it could be read.</summary>
/// <param name="Status">Consumed or already used.</param>
/// <param name="PreviousUse">Who used the token first, when already used and still readable.</param>
public sealed record TokenConsumeResult(TokenConsumeStatus Status, ApprovalTokenUse? PreviousUse = null);
