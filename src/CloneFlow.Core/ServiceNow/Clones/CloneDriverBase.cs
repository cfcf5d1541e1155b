namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>What every clone driver does the same way: read requests from the source's clone table.</summary>
public abstract class CloneDriverBase : ICloneDriver
{
    /// <summary>Creates the driver for the source instance's client.</summary>
    private protected CloneDriverBase(ServiceNowClient source, CloneTableOptions? table)
    {
        Records = new CloneRecords(source, table ?? new CloneTableOptions());
    }

    /// <inheritdoc />
    public abstract string Kind { get; }

    private protected CloneRecords Records { get; }

    /// <inheritdoc />
    public abstract Task<CloneRequestOutcome> RequestCloneAsync(CloneRequestSpec spec, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<CloneCancelOutcome> CancelAsync(string number, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract bool IdentifiesOwnRequests { get; }

    /// <inheritdoc />
    public abstract Task<CloneStatus?> FindOwnRequestAsync(string runId, string targetInstance, bool couldHaveAsked, CancellationToken cancellationToken);

    /// <inheritdoc />
    public Task<CloneStatus?> GetStatusAsync(string number, CancellationToken cancellationToken) =>
        Records.ByNumberAsync(number, cancellationToken);

    /// <inheritdoc />
    public Task<CloneStatus?> FindOpenRequestAsync(string targetInstance, CancellationToken cancellationToken) =>
        Records.OpenForTargetAsync(targetInstance, cancellationToken);
}
