using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Clones;

namespace CloneFlow.Core.Activities;

/// <summary>What the orchestration learns about a clone request.</summary>
/// <param name="Kind">How the request ended (created, already there, needs a person, busy, refused).</param>
/// <param name="Number">The request number, when there is a request.</param>
/// <param name="Reason">For people.</param>
public sealed record CloneRequestInfo(CloneRequestKind Kind, string? Number, string? Reason);

/// <summary>A clone's state, small enough for history.</summary>
/// <param name="Found">False when no request has the number.</param>
/// <param name="State">Normalised state.</param>
/// <param name="RawState">As stored.</param>
/// <param name="Phase">Phase while active.</param>
/// <param name="Percent">Progress.</param>
/// <param name="Message">The instance's message.</param>
/// <param name="CanCancel">Whether a cancel is still safe.</param>
public sealed record CloneStatusInfo(bool Found, CloneState State, string RawState, string Phase, int? Percent, string? Message, bool CanCancel)
{
    internal static CloneStatusInfo From(CloneStatus? status) => status is null
        ? new CloneStatusInfo(false, CloneState.Unknown, string.Empty, string.Empty, null, "no such clone request", false)
        : new CloneStatusInfo(true, status.State, status.RawState, status.Phase, status.PercentComplete, status.Message, status.CanCancel);
}

/// <summary>A clone request to look at.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The target.</param>
/// <param name="Number">The request number.</param>
public sealed record CloneRef(string RunId, string Target, string Number);

/// <summary>
/// Requests the clone through the target's driver (runbook step 9); idempotent per run. It first gathers the run's
/// manifest and requests nothing unless every planned export is verified in Blob storage.
/// </summary>
public sealed class RequestCloneActivity(RunServices services) : CloneFlowActivity<RunRef, CloneRequestInfo>
{
    /// <inheritdoc />
    public override async Task<CloneRequestInfo> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var settings = services.Target(input.Target);
        var source = services.Configuration.Instances[settings.Source];
        var target = services.Configuration.Instances[settings.Instance];
        if (target.Protected)
        {
            throw new InvalidOperationException($"{settings.Instance} is protected; no clone is requested.");
        }

        // The last check before the clone, in the activity that requests it: the manifest, gathered from the
        // verified marks in Blob storage now, must list every export of the plan as verified. The plan is read
        // while the manifest is gathered.
        var planRead = services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, CancellationToken.None);
        var manifest = await RunManifest.GatherAsync(services.Artifacts, input.RunId, CancellationToken.None);
        var plan = await planRead ?? throw new InvalidOperationException($"Run {input.RunId} has no plan; no clone is requested.");
        if (manifest.Verified != plan.ExportItems)
        {
            return new CloneRequestInfo(CloneRequestKind.Refused, null, $"the manifest lists {manifest.Verified} verified exports of the {plan.ExportItems} the plan needs, so no clone was requested");
        }

        // A clone cannot be taken back: what it stands on (the verified exports, the run's history up to
        // this request) must be on disk first, or a crash of the storage could lose it while the clone runs.
        await services.Durability.SettleAsync(services.Time, CancellationToken.None);
        var driver = await services.CloneDriverAsync(input.Target, CancellationToken.None);
        var outcome = await driver.RequestCloneAsync(new CloneRequestSpec(input.RunId, source.EffectiveCloneName, target.EffectiveCloneName, settings.Cloning.Profile), CancellationToken.None);
        if (outcome is { Kind: CloneRequestKind.Created or CloneRequestKind.AlreadyRequested, Status.Number: { Length: > 0 } number })
        {
            await OwnCloneRequest.RecordAsync(services, input.RunId, number, CancellationToken.None);
        }

        return new CloneRequestInfo(outcome.Kind, outcome.Status?.Number, outcome.Reason);
    }
}

/// <summary>Reads a clone request's state (the monitor's poll).</summary>
public sealed class CloneStatusActivity(RunServices services) : CloneFlowActivity<CloneRef, CloneStatusInfo>
{
    /// <inheritdoc />
    public override async Task<CloneStatusInfo> ExecuteAsync(CloneRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var driver = await services.CloneDriverAsync(input.Target, CancellationToken.None);
        return CloneStatusInfo.From(await driver.GetStatusAsync(input.Number, CancellationToken.None));
    }
}

/// <summary>Cancels a clone while it still can be canceled.</summary>
public sealed class CancelCloneActivity(RunServices services) : CloneFlowActivity<CloneRef, CloneStatusInfo>
{
    /// <inheritdoc />
    public override async Task<CloneStatusInfo> ExecuteAsync(CloneRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var driver = await services.CloneDriverAsync(input.Target, CancellationToken.None);
        var outcome = await driver.CancelAsync(input.Number, CancellationToken.None);
        return CloneStatusInfo.From(outcome.Status) with { Message = outcome.Reason ?? outcome.Status?.Message };
    }
}

/// <summary>True when the target answers API calls again after the clone's restart (runbook step 11).</summary>
public sealed class ProbeTargetActivity(RunServices services) : CloneFlowActivity<RunRef, bool>
{
    /// <inheritdoc />
    public override async Task<bool> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var client = await services.Clients.GetAsync(services.Target(input.Target).Instance, CancellationToken.None);
        try
        {
            await client.CountAsync("sys_update_set", cancellationToken: CancellationToken.None);
            return true;
        }
        catch (ServiceNowException ex) when (ex.IsTransient)
        {
            return false;
        }
    }
}
