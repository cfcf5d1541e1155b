namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>A clone request's state, normalised from whatever text the instance stores.</summary>
public enum CloneState
{
    /// <summary>The instance reported a state CloneFlow does not know; a person must look.</summary>
    Unknown,

    /// <summary>Saved but not submitted.</summary>
    Draft,

    /// <summary>Submitted, waiting to be scheduled.</summary>
    Requested,

    /// <summary>Waiting for its start time.</summary>
    Scheduled,

    /// <summary>Running (see the phase).</summary>
    Active,

    /// <summary>Paused by ServiceNow or an operator.</summary>
    Hold,

    /// <summary>Finished: the target is now a copy of the source.</summary>
    Completed,

    /// <summary>Canceled before node repoint: the target is unchanged.</summary>
    Canceled,

    /// <summary>Failed.</summary>
    Error,

    /// <summary>A rollback was asked for.</summary>
    RollbackRequested,

    /// <summary>Rolling back.</summary>
    RollingBack,

    /// <summary>Rolled back: the target is as before the clone.</summary>
    RolledBack,

    /// <summary>The rollback failed.</summary>
    RollbackFailed,
}

/// <summary>What the states mean for the workflow.</summary>
public static class CloneStates
{
    /// <summary>States in which the request still occupies its target (one active clone per target).</summary>
    public static bool IsOpen(this CloneState state) =>
        state is CloneState.Requested or CloneState.Scheduled or CloneState.Active or CloneState.Hold
            or CloneState.RollbackRequested or CloneState.RollingBack;

    /// <summary>States that will not change by themselves.</summary>
    public static bool IsFinal(this CloneState state) =>
        state is CloneState.Completed or CloneState.Canceled or CloneState.Error or CloneState.RolledBack or CloneState.RollbackFailed;

    /// <summary>Reads ServiceNow's state text ("Completed", "in_progress", "Rolling back", …) case- and separator-insensitively.</summary>
    public static CloneState Parse(string? text)
    {
        var key = new string((text ?? string.Empty).Where(char.IsLetter).Select(char.ToLowerInvariant).ToArray());
        return key switch
        {
            "draft" => CloneState.Draft,
            "requested" or "new" or "submitted" => CloneState.Requested,
            "scheduled" or "pending" => CloneState.Scheduled,
            "active" or "inprogress" or "running" or "cloning" => CloneState.Active,
            "hold" or "onhold" => CloneState.Hold,
            "completed" or "complete" or "successful" or "success" => CloneState.Completed,
            "canceled" or "cancelled" => CloneState.Canceled,
            "error" or "failed" or "failure" => CloneState.Error,
            "rollbackrequested" => CloneState.RollbackRequested,
            "rollingback" => CloneState.RollingBack,
            "rolledback" => CloneState.RolledBack,
            "rollbackfailure" or "rollbackfailed" => CloneState.RollbackFailed,
            _ => CloneState.Unknown,
        };
    }
}
