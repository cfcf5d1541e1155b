using System.Globalization;
using System.Net;

namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>
/// Requests, watches and cancels clones by writing the clone request record on the source through
/// the Table API (needs <c>clone_admin</c>). The record's sys_id derives from the run id, so a retried
/// request finds the record it made instead of creating a second clone.
/// </summary>
public sealed class TableCloneDriver : CloneDriverBase
{
    /// <summary>Creates the driver for the source instance's client.</summary>
    public TableCloneDriver(ServiceNowClient source, CloneTableOptions? table = null)
        : base(source, table)
    {
    }

    /// <inheritdoc />
    public override string Kind => "table";

    /// <summary>The sys_id of the request record the driver writes for a run (in <c>sn_instance_clone_request</c> on the source).</summary>
    public static string RequestSysId(string runId) => CloneRecords.RequestSysId(runId);

    /// <inheritdoc />
    public override async Task<CloneRequestOutcome> RequestCloneAsync(CloneRequestSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var sysId = CloneRecords.RequestSysId(spec.RunId);
        if (await Records.BySysIdAsync(sysId, cancellationToken) is { } ours)
        {
            return new CloneRequestOutcome(CloneRequestKind.AlreadyRequested, ours, null);
        }

        if (await Records.OpenForTargetAsync(spec.TargetInstance, cancellationToken) is { } other)
        {
            return new CloneRequestOutcome(
                CloneRequestKind.TargetBusy,
                other,
                $"{spec.TargetInstance} already has an open clone request {other.Number} ({other.RawState}); CloneFlow will not request another.");
        }

        var table = Records.Table;
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["sys_id"] = sysId,
            [table.SourceField] = spec.SourceInstance,
            [table.TargetField] = spec.TargetInstance,
            [table.ProfileField] = spec.Profile,
        };
        if (spec.ScheduledStart is { } start)
        {
            values[table.ScheduledStartField] = start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        try
        {
            var outcome = await Records.Source.EnsureInsertedAsync(table.Table, [values], useBatchApi: false, cancellationToken);
            if (outcome[0].Status == Batch.InsertStatus.Failed)
            {
                return new CloneRequestOutcome(CloneRequestKind.Refused, null, outcome[0].Error);
            }
        }
        catch (ServiceNowException ex) when (ex.Status is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            return new CloneRequestOutcome(CloneRequestKind.Refused, null, ex.Message);
        }

        var created = await Records.BySysIdAsync(sysId, cancellationToken)
            ?? throw new ServiceNowException(null, $"the clone request {sysId} was inserted but cannot be read back", null, null, $"GET {table.Table}/{sysId}");
        return new CloneRequestOutcome(CloneRequestKind.Created, created, null);
    }

    /// <inheritdoc />
    public override bool IdentifiesOwnRequests => true;

    /// <inheritdoc />
    /// <remarks>The run's record has a sys_id derived from the run id: found in any state, or certainly not made.</remarks>
    public override Task<CloneStatus?> FindOwnRequestAsync(string runId, string targetInstance, bool couldHaveAsked, CancellationToken cancellationToken) =>
        Records.BySysIdAsync(CloneRecords.RequestSysId(runId), cancellationToken);

    /// <inheritdoc />
    public override async Task<CloneCancelOutcome> CancelAsync(string number, CancellationToken cancellationToken)
    {
        var status = await Records.ByNumberAsync(number, cancellationToken);
        if (status is null)
        {
            return new CloneCancelOutcome(false, null, $"no clone request {number} on {Records.Source.Endpoint.Host}");
        }

        if (status.State == CloneState.Canceled)
        {
            return new CloneCancelOutcome(true, status, null);
        }

        if (!status.CanCancel)
        {
            return new CloneCancelOutcome(false, status, $"clone {number} is {status.RawState}{(status.Phase.Length > 0 ? $" in phase '{status.Phase}'" : string.Empty)}: it can no longer be canceled");
        }

        try
        {
            var table = Records.Table;
            await Records.Source.UpdateAsync(table.Table, status.SysId, new Dictionary<string, string?> { [table.CancelField] = table.CancelValue }, cancellationToken);
        }
        catch (ServiceNowException ex) when (ex.Status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.Conflict)
        {
            return new CloneCancelOutcome(false, await Records.ByNumberAsync(number, cancellationToken), ex.ServiceMessage);
        }

        var after = await Records.ByNumberAsync(number, cancellationToken);
        return new CloneCancelOutcome(after?.State == CloneState.Canceled, after, after?.State == CloneState.Canceled ? null : $"clone {number} is {after?.RawState} after the cancel request");
    }
}
