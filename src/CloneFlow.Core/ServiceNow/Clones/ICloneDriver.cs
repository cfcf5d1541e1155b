namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>
/// Talks to ServiceNow's clone machinery, which has no documented REST API: each driver is one way
/// of doing it (the <c>table</c> driver writes the request record through the Table API; the
/// <c>manual</c> driver lets a person request the clone and only watches it).
/// </summary>
public interface ICloneDriver
{
    /// <summary>The driver's configuration name (<c>table</c>, <c>manual</c>).</summary>
    string Kind { get; }

    /// <summary>Requests the clone, or finds this run's earlier request; never creates a second one.</summary>
    Task<CloneRequestOutcome> RequestCloneAsync(CloneRequestSpec spec, CancellationToken cancellationToken);

    /// <summary>The request's current state, or null when no request has that number.</summary>
    Task<CloneStatus?> GetStatusAsync(string number, CancellationToken cancellationToken);

    /// <summary>Cancels the request if it still can be.</summary>
    Task<CloneCancelOutcome> CancelAsync(string number, CancellationToken cancellationToken);

    /// <summary>True when a request the driver made carries the run's identity (so <see cref="FindOwnRequestAsync"/> never guesses).</summary>
    bool IdentifiesOwnRequests { get; }

    /// <summary>
    /// The request this run made, as the instance shows it, in any state, or null when none can be
    /// found. <paramref name="couldHaveAsked"/> is true once the run had every export verified (before
    /// that no driver requests a clone or asks a person to), so a request that cannot be told apart
    /// from the run's own counts as the run's own.
    /// </summary>
    Task<CloneStatus?> FindOwnRequestAsync(string runId, string targetInstance, bool couldHaveAsked, CancellationToken cancellationToken);

    /// <summary>The open request for <paramref name="targetInstance"/>, if any (one active clone per target).</summary>
    Task<CloneStatus?> FindOpenRequestAsync(string targetInstance, CancellationToken cancellationToken);
}
