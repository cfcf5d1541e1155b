namespace CloneFlow.Core.Approvals;

/// <summary>
/// Takes a decision submitted from the approval page through every check, in an order that leaks
/// nothing to a forger: the token (shape, key, signature, expiry), then whether the run still
/// waits on that gate round, then the approver policy, and last the single-use ledger, so a token
/// is consumed only by a decision that is otherwise acceptable. A consumed decision is read back
/// from the ledger before it counts as recorded.
/// </summary>
public sealed class ApprovalDecisionRecorder
{
    /// <summary>The longest comment kept; longer ones are cut, because the decision travels in orchestration history.</summary>
    public const int MaxCommentLength = 2000;

    private readonly ApprovalTokenService _tokens;
    private readonly IApprovalTokenLedger _ledger;
    private readonly TimeProvider _time;

    /// <summary>Creates the recorder.</summary>
    public ApprovalDecisionRecorder(ApprovalTokenService tokens, IApprovalTokenLedger ledger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _tokens = tokens;
        _ledger = ledger;
        _time = timeProvider;
    }

    /// <summary>
    /// Checks and records one decision. <paramref name="findPendingGate"/> returns what the token's
    /// run is waiting on, or null when it waits on nothing (finished, unknown, not at a gate).
    /// </summary>
    public Task<ApprovalDecisionResult> DecideAsync(
        string? token,
        ApprovalVerdict verdict,
        string? comment,
        string? signedInPrincipal,
        Func<ApprovalClaims, CancellationToken, ValueTask<PendingGate?>> findPendingGate,
        CancellationToken cancellationToken) =>
        DecideAsync(token, verdict, comment, null, signedInPrincipal, findPendingGate, cancellationToken);

    /// <summary>Checks and records one decision with the gate's <paramref name="choices"/>, which are kept with it.</summary>
    public async Task<ApprovalDecisionResult> DecideAsync(
        string? token,
        ApprovalVerdict verdict,
        string? comment,
        IReadOnlyDictionary<string, string>? choices,
        string? signedInPrincipal,
        Func<ApprovalClaims, CancellationToken, ValueTask<PendingGate?>> findPendingGate,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findPendingGate);
        var validation = _tokens.Validate(token);
        if (!validation.IsValid)
        {
            var refusal = ApprovalOutcome.RefusalFor(validation.Status)!.Value;
            return ApprovalDecisionResult.Refused(null, refusal, ApprovalOutcome.MessageFor(refusal));
        }

        var claims = validation.Claims;
        var gate = await findPendingGate(claims, cancellationToken);
        if (gate is null)
        {
            return ApprovalDecisionResult.Refused(claims, ApprovalRefusal.NoLongerPending, $"Run {claims.RunId} is not waiting for the '{claims.Gate}' approval any more.");
        }

        var authorization = gate.Policy.Authorize(claims, gate.Pending, signedInPrincipal);
        if (!authorization.IsAllowed)
        {
            return ApprovalDecisionResult.Refused(claims, authorization.Refusal.Value, authorization.Reason);
        }

        var text = (comment ?? string.Empty).Trim();
        var decision = new ApprovalDecision(verdict, claims.Approver, text.Length > MaxCommentLength ? text[..MaxCommentLength] : text, claims.TokenId, _time.GetUtcNow());
        var use = ApprovalTokenUse.For(claims, decision, choices);
        var consumed = await _ledger.TryConsumeAsync(use, cancellationToken);
        if (consumed.Status == TokenConsumeStatus.AlreadyUsed)
        {
            var first = consumed.PreviousUse is { } previous ? $" ({previous.Verdict} by {previous.Approver} at {previous.DecidedAt:u})" : string.Empty;
            return ApprovalDecisionResult.AlreadyRecorded(claims, consumed.PreviousUse, $"A decision was already recorded with this link{first}.");
        }

        // "Recorded" only once the ledger gives the decision back as written.
        if (!use.SameDecisionAs(await _ledger.FindAsync(claims.TokenId, cancellationToken)))
        {
            return ApprovalDecisionResult.Refused(claims, ApprovalRefusal.NotRecorded, ApprovalOutcome.MessageFor(ApprovalRefusal.NotRecorded));
        }

        return ApprovalDecisionResult.Recorded(claims, decision, use.Choices);
    }
}
