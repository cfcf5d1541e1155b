namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>
/// For instances where CloneFlow may not write clone requests: a person requests the clone in the
/// Clone Admin Console and gives CloneFlow the request number; CloneFlow then watches that record
/// (reading it needs only read access). Always works.
/// </summary>
public sealed class ManualCloneDriver : CloneDriverBase
{
    /// <summary>Creates the driver for the source instance's client.</summary>
    public ManualCloneDriver(ServiceNowClient source, CloneTableOptions? table = null)
        : base(source, table)
    {
    }

    /// <inheritdoc />
    public override string Kind => "manual";

    /// <inheritdoc />
    public override async Task<CloneRequestOutcome> RequestCloneAsync(CloneRequestSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (await Records.OpenForTargetAsync(spec.TargetInstance, cancellationToken) is { } open)
        {
            // A person may already have requested it; the workflow asks them to confirm the number.
            return new CloneRequestOutcome(CloneRequestKind.TargetBusy, open, $"{spec.TargetInstance} already has an open clone request {open.Number} ({open.RawState}).");
        }

        var profile = string.IsNullOrEmpty(spec.Profile) ? "no profile (all preservers, exclusions and cleanups)" : $"profile {spec.Profile}";
        var when = spec.ScheduledStart is { } start ? $"to start at {start:yyyy-MM-dd HH:mm} UTC" : "to start as soon as possible";
        return new CloneRequestOutcome(
            CloneRequestKind.NeedsPerson,
            null,
            $"Request a clone of {spec.SourceInstance} over {spec.TargetInstance} with {profile}, {when}, in the Clone Admin Console on {Records.Source.Endpoint.Host}; then give CloneFlow the request number.");
    }

    /// <inheritdoc />
    public override bool IdentifiesOwnRequests => false;

    /// <inheritdoc />
    /// <remarks>
    /// A person's request carries nothing of the run: once the run could have asked for it, an open
    /// request for the target cannot be ruled out as the run's own (its recorded number is looked up
    /// before this). A request that already finished, with its number lost, is not found.
    /// </remarks>
    public override Task<CloneStatus?> FindOwnRequestAsync(string runId, string targetInstance, bool couldHaveAsked, CancellationToken cancellationToken) =>
        couldHaveAsked ? Records.OpenForTargetAsync(targetInstance, cancellationToken) : Task.FromResult<CloneStatus?>(null);

    /// <inheritdoc />
    public override async Task<CloneCancelOutcome> CancelAsync(string number, CancellationToken cancellationToken)
    {
        var status = await Records.ByNumberAsync(number, cancellationToken);
        return new CloneCancelOutcome(
            status?.State == CloneState.Canceled,
            status,
            status?.State == CloneState.Canceled ? null : $"the manual driver does not cancel: cancel clone {number} in the Clone Admin Console");
    }
}
