namespace CloneFlow.Core.Runs;

/// <summary>The orchestration's input: which configured target, who asked, and whether to stop before the clone.</summary>
/// <param name="RunId">The orchestration instance id (<c>clone-{target}-{yyyyMMddHHmmss}</c>).</param>
/// <param name="Target">The configured target's name.</param>
/// <param name="RequestedBy">Who asked (for separation of duties and the report).</param>
/// <param name="DryRun">Plan and export only; never request a clone.</param>
public sealed record CloneRunInput(string RunId, string Target, string RequestedBy, bool DryRun = false)
{
    /// <summary>The instance id for a requested run.</summary>
    public static string RequestedRunId(string target, DateTimeOffset at) => $"clone-{target}-{at.UtcDateTime:yyyyMMddHHmmss}";

    /// <summary>The instance id for a monthly refresh: the same month always maps to the same id.</summary>
    public static string RefreshRunId(string target, DateTimeOffset at) => $"refresh-{target}-{at.UtcDateTime:yyyyMM}";
}

/// <summary>How a run ended.</summary>
public enum RunOutcome
{
    /// <summary>Cloned, restored and verified (or restored with differences the report lists).</summary>
    Completed,

    /// <summary>Stopped by an error or a person's abort; the exports are kept.</summary>
    Failed,

    /// <summary>Canceled on request.</summary>
    Canceled,

    /// <summary>An approver rejected the plan (or it expired unanswered).</summary>
    Rejected,

    /// <summary>Planned and exported only.</summary>
    DryRun,
}

/// <summary>The orchestration's output: small; everything else is in the run's blobs.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Verified">True when every exported set was found restored with the same updates.</param>
/// <param name="Reason">Why it ended as it did, for people.</param>
/// <param name="ReportJson">The report's blob name.</param>
/// <param name="ReportHtml">The HTML report's blob name.</param>
public sealed record CloneRunResult(string RunId, RunOutcome Outcome, bool Verified, string Reason, string ReportJson, string ReportHtml);
