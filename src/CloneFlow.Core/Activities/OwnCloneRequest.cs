using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;

namespace CloneFlow.Core.Activities;

/// <summary>
/// The clone request a run made, found from outside the run's history: storage that loses its last
/// seconds (Azurite killed with its host) can take the request out of the history while the clone
/// goes on. Looked up before the run reads the target's pre-clone state again (plan, export) and
/// before it says that nothing was cloned.
/// </summary>
internal static class OwnCloneRequest
{
    /// <summary>The request number, kept beside the exports once known (the manual driver's only trace).</summary>
    public const string RecordBlob = "clone-request.json";

    /// <summary>
    /// The run's request number, or null when the driver and the run's record show none. The run's exports
    /// are read (once, through <paramref name="exports"/>) only when the driver cannot tell its own requests.
    /// </summary>
    public static async Task<string?> FindAsync(RunServices services, string runId, string target, RunExports exports, CancellationToken cancellationToken)
    {
        var recorded = services.Artifacts.ReadJsonAsync<CloneRequestRecord>(runId, RecordBlob, cancellationToken);
        var driver = await services.CloneDriverAsync(target, cancellationToken);
        if (await recorded is { } record)
        {
            return record.Number;
        }

        // Until every export of the plan is verified, no driver requests a clone or asks a person to;
        // a driver whose requests carry the run's identity needs no such guess.
        var couldHaveAsked = !driver.IdentifiesOwnRequests && (await exports.ReadAsync()).ExportsComplete;
        var instance = services.Configuration.Instances[services.Target(target).Instance];
        var found = await driver.FindOwnRequestAsync(runId, instance.EffectiveCloneName, couldHaveAsked, cancellationToken);
        return found?.Number;
    }

    /// <summary>Keeps the request number beside the exports.</summary>
    public static Task RecordAsync(RunServices services, string runId, string number, CancellationToken cancellationToken) =>
        services.Artifacts.WriteJsonAsync(runId, RecordBlob, new CloneRequestRecord(number, services.Time.GetUtcNow()), cancellationToken);

    /// <summary>Throws <see cref="CloneAlreadyRequestedException"/> when the run's clone exists: the target's state is no longer the one to preserve.</summary>
    public static async Task ThrowIfRequestedAsync(RunServices services, string runId, string target, CancellationToken cancellationToken)
    {
        if (await FindAsync(services, runId, target, new RunExports(services, runId, cancellationToken), cancellationToken) is { } number)
        {
            throw new CloneAlreadyRequestedException(number);
        }
    }
}

/// <summary>The run's plan and how many of its exports are verified, read from Blob storage at most once.</summary>
internal sealed class RunExports(RunServices services, string runId, CancellationToken cancellationToken)
{
    private Task<OwnCloneRequestInfo>? _read;

    /// <summary>The plan's counts and the verified exports (the number is not set here).</summary>
    public Task<OwnCloneRequestInfo> ReadAsync() => _read ??= ReadCoreAsync();

    private async Task<OwnCloneRequestInfo> ReadCoreAsync()
    {
        var plan = services.Artifacts.ReadJsonAsync<RunPlan>(runId, PlanActivity.PlanBlob, cancellationToken);
        var items = await RunManifest.GatherItemsAsync(services.Artifacts, runId, cancellationToken);
        return new OwnCloneRequestInfo(null, (await plan)?.Summary, items.Count(item => item.Verified));
    }
}

/// <summary>The clone request number a run recorded, and when.</summary>
/// <param name="Number">The request number on the source.</param>
/// <param name="RecordedAt">When CloneFlow learnt it.</param>
public sealed record CloneRequestRecord(string Number, DateTimeOffset RecordedAt);

/// <summary>
/// The run's clone is already requested, so its plan and exports are never taken again (the target
/// is being overwritten); the orchestration goes on to watch the clone and restore. Not retried.
/// </summary>
public sealed class CloneAlreadyRequestedException : InvalidOperationException
{
    /// <summary>Creates the error for <paramref name="number"/>.</summary>
    public CloneAlreadyRequestedException(string number)
        : base($"Clone {number} of this run is already requested: the target's in-flight work is no longer read, only restored from the verified exports.")
    {
        Number = number;
    }

    /// <summary>Required by CA1032.</summary>
    public CloneAlreadyRequestedException()
        : this("?")
    {
    }

    /// <summary>Required by CA1032.</summary>
    public CloneAlreadyRequestedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Number = "?";
    }

    /// <summary>The request number.</summary>
    public string Number { get; }
}

/// <summary>What the run knows of its clone request when its history may have lost it.</summary>
/// <param name="Number">The request number, or null when none was found.</param>
/// <param name="Plan">The plan's counts, when the run has a plan.</param>
/// <param name="VerifiedExports">Exports verified in Blob storage.</param>
public sealed record OwnCloneRequestInfo(string? Number, PlanSummary? Plan, int VerifiedExports)
{
    /// <summary>True when every export of the plan is verified: a restore can be complete (and a clone could have been asked for).</summary>
    public bool ExportsComplete => Plan is { } plan && VerifiedExports >= plan.ExportItems;
}

/// <summary>Looks for the run's own clone request (see <see cref="OwnCloneRequest"/>), with what a restore would stand on.</summary>
public sealed class FindCloneRequestActivity(RunServices services) : CloneFlowActivity<RunRef, OwnCloneRequestInfo>
{
    /// <inheritdoc />
    public override async Task<OwnCloneRequestInfo> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var exports = new RunExports(services, input.RunId, CancellationToken.None);
        var number = await OwnCloneRequest.FindAsync(services, input.RunId, input.Target, exports, CancellationToken.None);
        return number is null ? new OwnCloneRequestInfo(null, null, 0) : (await exports.ReadAsync()) with { Number = number };
    }
}

/// <summary>Keeps a clone request number a person gave (the manual driver) beside the exports.</summary>
public sealed class RecordCloneRequestActivity(RunServices services) : CloneFlowActivity<CloneRef, bool>
{
    /// <inheritdoc />
    public override async Task<bool> ExecuteAsync(CloneRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await OwnCloneRequest.RecordAsync(services, input.RunId, input.Number, CancellationToken.None);
        return true;
    }
}
