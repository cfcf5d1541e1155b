namespace CloneFlow.Core.Approvals;

/// <summary>
/// What an approval token grants: one decision by <see cref="Approver"/> on one gate and round of
/// one run, until <see cref="ExpiresAt"/>. <see cref="TokenId"/> is a random nonce; the first
/// decision made with it consumes it (see <see cref="IApprovalTokenLedger"/>).
/// </summary>
/// <param name="RunId">The run's orchestration instance id.</param>
/// <param name="Gate">The approval gate, e.g. <c>plan</c> or <c>preview-problems</c>.</param>
/// <param name="Round">The gate's round (a gate asked again after a timeout or retry is a new round).</param>
/// <param name="Approver">The e-mail address or UPN of the person the token was issued to.</param>
/// <param name="ExpiresAt">When the token stops working (whole seconds, UTC).</param>
/// <param name="TokenId">A random base64url nonce that identifies this token for single use.</param>
public sealed record ApprovalClaims(string RunId, string Gate, int Round, string Approver, DateTimeOffset ExpiresAt, string TokenId);
