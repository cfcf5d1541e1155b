namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>
/// For instances where CloneFlow may not write clone requests: a person requests the clone in the
/// Clone Admin Console and gives CloneFlow the request number; CloneFlow then watches that record
/// (reading it needs only read access). Always works.
/// </summary>
public sealed class ManualCloneDriver : ICloneDriver
{
    private readonly CloneRecords _records;

    /// <summary>Creates the driver for the source instance's client.</summary>
    public ManualCloneDriver(ServiceNowClient source, CloneTableOptions? table = null)
    {
        _records = new CloneRecords(source, table ?? new CloneTableOptions());
    }

    /// <inheritdoc />
    public string Kind => "manual";

    /// <inheritdoc />
    public async Task<CloneRequestOutcome> RequestCloneAsync(CloneRequestSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (await _records.OpenForTargetAsync(spec.TargetInstance, cancellationToken) is { } open)
        {
            // A person may already have requested it; the workflow asks them to confirm the number.
            return new CloneRequestOutcome(CloneRequestKind.TargetBusy, open, $"{spec.TargetInstance} already has an open clone request {open.Number} ({open.RawState}).");
        }

        var profile = string.IsNullOrEmpty(spec.Profile) ? "no profile (all preservers, exclusions and cleanups)" : $"profile {spec.Profile}";
        var when = spec.ScheduledStart is { } start ? $"to start at {start:yyyy-MM-dd HH:mm} UTC" : "to start as soon as possible";
        return new CloneRequestOutcome(
            CloneRequestKind.NeedsPerson,
            null,
            $"Request a clone of {spec.SourceInstance} over {spec.TargetInstance} with {profile}, {when}, in the Clone Admin Console on {_records.Source.Endpoint.Host}; then give CloneFlow the request number.");
    }

    /// <inheritdoc />
    public Task<CloneStatus?> GetStatusAsync(string number, CancellationToken cancellationToken) =>
        _records.ByNumberAsync(number, cancellationToken);

    /// <inheritdoc />
    public Task<CloneStatus?> FindOpenRequestAsync(string targetInstance, CancellationToken cancellationToken) =>
        _records.OpenForTargetAsync(targetInstance, cancellationToken);

    /// <inheritdoc />
    public async Task<CloneCancelOutcome> CancelAsync(string number, CancellationToken cancellationToken)
    {
        var status = await _records.ByNumberAsync(number, cancellationToken);
        return new CloneCancelOutcome(
            status?.State == CloneState.Canceled,
            status,
            status?.State == CloneState.Canceled ? null : $"the manual driver does not cancel: cancel clone {number} in the Clone Admin Console");
    }
}
