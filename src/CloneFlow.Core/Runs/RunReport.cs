using System.Text.Json.Serialization;
using CloneFlow.Core.Activities;

namespace CloneFlow.Core.Runs;

/// <summary>
/// The run report (<c>report.json</c>): the contract tools read. Keys are camelCase; <c>status</c> is
/// one of Completed, Failed, Canceled, Rejected, DryRun.
/// </summary>
public sealed record RunReport
{
    /// <summary>The run.</summary>
    public string RunId { get; init; } = string.Empty;

    /// <summary>The source instance.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The target instance.</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>How the run ended.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<RunOutcome>))]
    public RunOutcome Status { get; init; }

    /// <summary>True when every exported set and app was found restored exactly, with every extra-table row, and every check passed.</summary>
    public bool Verified { get; init; }

    /// <summary>Why the run ended as it did.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>Clone requests the run created or adopted (0 or 1).</summary>
    public int CloneRequests { get; init; }

    /// <summary>Every decision on every gate.</summary>
    public IReadOnlyList<ReportApproval> Approvals { get; init; } = [];

    /// <summary>Each exported set before and after.</summary>
    public IReadOnlyList<SetVerification> UpdateSets { get; init; } = [];

    /// <summary>Each scoped app in development before and after.</summary>
    public IReadOnlyList<AppVerification> Applications { get; init; } = [];

    /// <summary>Each extra table's rows after the restore.</summary>
    public IReadOnlyList<TableVerification> ExtraTables { get; init; } = [];

    /// <summary>Plugins lost by the clone and activated again.</summary>
    public ReportPlugins Plugins { get; init; } = new([], []);

    /// <summary>Post-clone checks.</summary>
    public IReadOnlyList<CheckResult> Checks { get; init; } = [];

    /// <summary>The phases with their times.</summary>
    public IReadOnlyList<PhaseRecord> Timeline { get; init; } = [];

    /// <summary>When the report was written.</summary>
    public DateTimeOffset GeneratedAt { get; init; }
}

/// <summary>A decision in the report.</summary>
/// <param name="Gate">The gate.</param>
/// <param name="Decision">approve, reject or expired.</param>
/// <param name="Approver">Who.</param>
/// <param name="At">When.</param>
public sealed record ReportApproval(string Gate, string Decision, string Approver, DateTimeOffset At);

/// <summary>Plugins in the report.</summary>
/// <param name="MissingAfterClone">Active before, not after the clone.</param>
/// <param name="Activated">Activated again by the run.</param>
public sealed record ReportPlugins(IReadOnlyList<string> MissingAfterClone, IReadOnlyList<string> Activated);

/// <summary>One phase of the run.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Started">When it started.</param>
/// <param name="Ended">When it ended.</param>
/// <param name="Outcome">ok, skipped, failed, …</param>
public sealed record PhaseRecord(string Phase, DateTimeOffset Started, DateTimeOffset Ended, string Outcome);

/// <summary>What the orchestration knows that the blobs do not, for the report.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The target.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Reason">Why.</param>
/// <param name="CloneRequests">0 or 1.</param>
/// <param name="Approvals">Decisions.</param>
/// <param name="PluginsMissing">Plugins lost by the clone.</param>
/// <param name="PluginsActivated">Plugins activated.</param>
/// <param name="Checks">Post-clone checks.</param>
/// <param name="Timeline">Phases.</param>
/// <param name="Verified">Whether the restore verified.</param>
public sealed record ReportInput(
    string RunId,
    string Target,
    RunOutcome Outcome,
    string Reason,
    int CloneRequests,
    IReadOnlyList<RecordedApproval> Approvals,
    IReadOnlyList<string> PluginsMissing,
    IReadOnlyList<string> PluginsActivated,
    IReadOnlyList<CheckResult> Checks,
    IReadOnlyList<PhaseRecord> Timeline,
    bool Verified);
