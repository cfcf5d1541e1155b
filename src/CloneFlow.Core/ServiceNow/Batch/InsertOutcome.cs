namespace CloneFlow.Core.ServiceNow.Batch;

/// <summary>What happened to one record of an idempotent insert.</summary>
public enum InsertStatus
{
    /// <summary>Inserted by this call.</summary>
    Inserted,

    /// <summary>A record with this sys_id was already there (an earlier attempt inserted it); nothing written.</summary>
    AlreadyPresent,

    /// <summary>ServiceNow refused it; <see cref="InsertOutcome.Error"/> says why.</summary>
    Failed,
}

/// <summary>The outcome for one record.</summary>
/// <param name="SysId">The record's sys_id.</param>
/// <param name="Status">What happened.</param>
/// <param name="Error">ServiceNow's message when it failed.</param>
public sealed record InsertOutcome(string SysId, InsertStatus Status, string? Error = null);
