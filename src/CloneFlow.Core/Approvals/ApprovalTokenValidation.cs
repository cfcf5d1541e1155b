using System.Diagnostics.CodeAnalysis;

namespace CloneFlow.Core.Approvals;

/// <summary>The result of checking a token: its status, and its claims only when it is valid.</summary>
public sealed record ApprovalTokenValidation
{
    private ApprovalTokenValidation(ApprovalTokenStatus status, ApprovalClaims? claims)
    {
        Status = status;
        Claims = claims;
    }

    /// <summary>What the check found.</summary>
    public ApprovalTokenStatus Status { get; }

    /// <summary>The token's claims; null unless <see cref="Status"/> is <see cref="ApprovalTokenStatus.Valid"/>.</summary>
    public ApprovalClaims? Claims { get; }

    /// <summary>True when the token is valid (and <see cref="Claims"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    public bool IsValid => Status == ApprovalTokenStatus.Valid;

    internal static ApprovalTokenValidation Valid(ApprovalClaims claims) => new(ApprovalTokenStatus.Valid, claims);

    internal static ApprovalTokenValidation Refused(ApprovalTokenStatus status) => new(status, null);
}
