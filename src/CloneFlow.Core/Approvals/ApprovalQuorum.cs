namespace CloneFlow.Core.Approvals;

/// <summary>How many distinct allowed approvers must approve a gate: one of them, or a number of different people.</summary>
public sealed record ApprovalQuorum
{
    private ApprovalQuorum(int required) => Required = required;

    /// <summary>Any one allowed approver decides.</summary>
    public static ApprovalQuorum AnyOne { get; } = new(1);

    /// <summary>How many different people must approve.</summary>
    public int Required { get; }

    /// <summary><paramref name="count"/> different allowed approvers must approve.</summary>
    public static ApprovalQuorum DistinctCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new(count);
    }

    /// <inheritdoc />
    public override string ToString() => Required == 1 ? "any one approver" : $"{Required} distinct approvers";
}
