namespace CloneFlow.Core.Notifications;

/// <summary>The messages CloneFlow sends during a run.</summary>
public enum NotificationKind
{
    /// <summary>The target is about to be cloned over: finish or leave in-flight work for export.</summary>
    FreezeNotice,

    /// <summary>A gate needs decisions.</summary>
    ApprovalRequest,

    /// <summary>A gate still needs decisions.</summary>
    Reminder,

    /// <summary>A gate went unanswered too long and goes to the next people.</summary>
    Escalation,

    /// <summary>The clone was requested and is running.</summary>
    CloneStarted,

    /// <summary>The clone has made no progress for too long.</summary>
    CloneStalled,

    /// <summary>The clone failed; exports are kept for a manual restore.</summary>
    CloneFailed,

    /// <summary>The clone finished; restore follows.</summary>
    CloneCompleted,

    /// <summary>A cancel could not stop the clone (past node repoint): why, and that CloneFlow restores.</summary>
    CancelRefused,

    /// <summary>The run is over: what was exported, restored and checked.</summary>
    FinalReport,
}
