namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>How asking for a clone ended.</summary>
public enum CloneRequestKind
{
    /// <summary>This call created the request.</summary>
    Created,

    /// <summary>This run's request already existed (an earlier attempt created it); nothing new was created.</summary>
    AlreadyRequested,

    /// <summary>The driver cannot request clones: a person must request it in the console and give CloneFlow the number.</summary>
    NeedsPerson,

    /// <summary>Another clone is already open for the target; nothing was created.</summary>
    TargetBusy,

    /// <summary>The instance refused the request (e.g. the target does not allow clones); <see cref="CloneRequestOutcome.Reason"/> says why.</summary>
    Refused,
}

/// <summary>The result of <see cref="ICloneDriver.RequestCloneAsync"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Status">The request (ours, or the one occupying the target) when there is one.</param>
/// <param name="Reason">What a person should know: the refusal, or what to do in the console.</param>
public sealed record CloneRequestOutcome(CloneRequestKind Kind, CloneStatus? Status, string? Reason);

/// <summary>The result of <see cref="ICloneDriver.CancelAsync"/>.</summary>
/// <param name="Canceled">True when the request is now canceled.</param>
/// <param name="Status">The request as it stands after the attempt.</param>
/// <param name="Reason">Why it could not be canceled (past node repoint, finished, not supported).</param>
public sealed record CloneCancelOutcome(bool Canceled, CloneStatus? Status, string? Reason);
