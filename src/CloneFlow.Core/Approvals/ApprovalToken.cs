namespace CloneFlow.Core.Approvals;

/// <summary>An issued approval token and what it grants. The value is a bearer credential: it goes into one approver's link and nowhere else.</summary>
/// <param name="Value">The token text, <c>v1.&lt;kid&gt;.&lt;payload&gt;.&lt;hmac&gt;</c>.</param>
/// <param name="Claims">What the token grants.</param>
public sealed record ApprovalToken(string Value, ApprovalClaims Claims)
{
    /// <summary>Describes the token without its value, so logging the record leaks nothing usable.</summary>
    public override string ToString() => $"ApprovalToken {{ TokenId = {Claims.TokenId}, RunId = {Claims.RunId}, Gate = {Claims.Gate}, Round = {Claims.Round}, Approver = {Claims.Approver} }}";
}
