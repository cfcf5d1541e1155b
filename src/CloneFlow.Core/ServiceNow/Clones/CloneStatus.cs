namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>Where a clone request stands, as read from the instance.</summary>
/// <param name="Number">The request number (e.g. CLN0001234), the key people use.</param>
/// <param name="SysId">The request record's sys_id.</param>
/// <param name="State">The normalised state.</param>
/// <param name="RawState">The state text as stored.</param>
/// <param name="Phase">The named phase while active (build configuration … post-clone cleanup), empty otherwise.</param>
/// <param name="PercentComplete">0 to 100 when the instance reports it.</param>
/// <param name="Message">The instance's status message, if any.</param>
/// <param name="Source">The source instance name on the record.</param>
/// <param name="Target">The target instance name on the record.</param>
/// <param name="CanCancel">True while a cancel can still leave the target untouched (before node repoint).</param>
/// <param name="Record">Every field of the record, for the report and for people.</param>
public sealed record CloneStatus(
    string Number,
    string SysId,
    CloneState State,
    string RawState,
    string Phase,
    int? PercentComplete,
    string? Message,
    string Source,
    string Target,
    bool CanCancel,
    IReadOnlyDictionary<string, string?> Record);
