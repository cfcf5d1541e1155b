using System.Text.Json.Serialization;
using CloneFlow.Core.Approvals;

namespace CloneFlow.Core.Runs;

/// <summary>
/// What an approver's answer carries into the orchestration (an external event): the decision and,
/// for gates with choices, what was chosen (per preview problem <c>accept</c>/<c>skip</c>; for the
/// failure gate <c>action</c> = <c>retry</c>/<c>skip</c>/<c>abort</c> and a <c>reason</c>; for the
/// manual clone driver <c>number</c>).
/// </summary>
/// <param name="Decision">Who decided what, when.</param>
/// <param name="Choices">Gate-specific choices; empty for a plain approve/reject.</param>
[method: JsonConstructor]
public sealed record GateDecision(ApprovalDecision Decision, IReadOnlyDictionary<string, string> Choices)
{
    /// <summary>A plain decision without choices.</summary>
    public GateDecision(ApprovalDecision decision)
        : this(decision, new Dictionary<string, string>())
    {
    }

    /// <summary>A choice by key, or null.</summary>
    public string? Choice(string key) => Choices.TryGetValue(key, out var value) ? value : null;
}

/// <summary>A decision recorded for the report.</summary>
/// <param name="Gate">The gate.</param>
/// <param name="Decision"><c>approve</c>, <c>reject</c> or <c>expired</c>.</param>
/// <param name="Approver">Who decided (empty when it expired).</param>
/// <param name="At">When.</param>
/// <param name="Comment">What they wrote.</param>
public sealed record RecordedApproval(string Gate, string Decision, string Approver, DateTimeOffset At, string Comment);
