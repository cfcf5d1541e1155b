using System.Diagnostics.CodeAnalysis;

namespace CloneFlow.Core.Approvals;

/// <summary>Whether a decision may be recorded; when not, why, in words a person can act on.</summary>
public sealed record ApprovalAuthorization
{
    private ApprovalAuthorization(ApprovalRefusal? refusal, string? reason)
    {
        Refusal = refusal;
        Reason = reason;
    }

    /// <summary>The decision may be recorded.</summary>
    public static ApprovalAuthorization Allowed { get; } = new(null, null);

    /// <summary>Why the decision was refused; null when allowed.</summary>
    public ApprovalRefusal? Refusal { get; }

    /// <summary>The refusal in words; null when allowed.</summary>
    public string? Reason { get; }

    /// <summary>True when the decision may be recorded.</summary>
    [MemberNotNullWhen(false, nameof(Refusal), nameof(Reason))]
    public bool IsAllowed => Refusal is null;

    /// <summary>A refusal with its reason.</summary>
    public static ApprovalAuthorization Refused(ApprovalRefusal refusal, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(refusal, reason);
    }
}
