using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow.CiCd;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Core.Activities;

/// <summary>The CI/CD operations the workflow starts on the target.</summary>
public enum CiCdOperation
{
    /// <summary>Preview a remote update set (the batch base).</summary>
    Preview,

    /// <summary>Commit a previewed remote update set (the batch base).</summary>
    Commit,

    /// <summary>Activate a plugin.</summary>
    ActivatePlugin,
}

/// <summary>Starts a CI/CD job.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The target.</param>
/// <param name="Operation">What to start.</param>
/// <param name="Subject">The remote set sys_id or the plugin id.</param>
public sealed record CiCdStart(string RunId, string Target, CiCdOperation Operation, string Subject);

/// <summary>A CI/CD job to poll.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The target.</param>
/// <param name="ProgressId">The progress id.</param>
public sealed record CiCdPoll(string RunId, string Target, string ProgressId);

/// <summary>A CI/CD job's state for the orchestration.</summary>
/// <param name="ProgressId">The id to poll.</param>
/// <param name="Status">The state.</param>
/// <param name="Percent">Progress.</param>
/// <param name="Message">status_message or error.</param>
public sealed record CiCdState(string ProgressId, CiCdStatus Status, int Percent, string? Message)
{
    /// <summary>True once the job can change no more.</summary>
    public bool IsFinished => Status is CiCdStatus.Successful or CiCdStatus.Failed or CiCdStatus.Canceled;

    internal static CiCdState From(CiCdProgress progress) =>
        new(progress.ProgressId, progress.Status, progress.PercentComplete, progress.Error ?? progress.Message);
}

/// <summary>Starts a preview, a commit or a plugin activation on the target.</summary>
public sealed class StartCiCdActivity(RunServices services) : CloneFlowActivity<CiCdStart, CiCdState>
{
    /// <inheritdoc />
    public override async Task<CiCdState> ExecuteAsync(CiCdStart input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var client = await services.Clients.GetAsync(services.Target(input.Target).Instance, CancellationToken.None);

        // A set an earlier attempt committed (its history lost with the storage, or the host died before
        // recording it) is done: previewing or committing it again is refused by the instance.
        if (input.Operation is CiCdOperation.Preview or CiCdOperation.Commit
            && (await client.GetRecordAsync(RemoteUpdateSetRecord.TableName, input.Subject, ["sys_id", "state"]))?.Get("state") == "committed")
        {
            return new CiCdState(string.Empty, CiCdStatus.Successful, 100, $"Remote update set {input.Subject} is already committed (by an earlier attempt).");
        }

        var progress = input.Operation switch
        {
            CiCdOperation.Preview => await client.StartUpdateSetPreviewAsync(input.Subject),
            CiCdOperation.Commit => await client.StartUpdateSetCommitAsync(input.Subject),
            CiCdOperation.ActivatePlugin => await client.StartPluginActivationAsync(input.Subject),
            _ => throw new InvalidOperationException($"Unknown CI/CD operation {input.Operation}."),
        };
        return CiCdState.From(progress);
    }
}

/// <summary>Reads a CI/CD job's progress.</summary>
public sealed class CiCdProgressActivity(RunServices services) : CloneFlowActivity<CiCdPoll, CiCdState>
{
    /// <inheritdoc />
    public override async Task<CiCdState> ExecuteAsync(CiCdPoll input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var client = await services.Clients.GetAsync(services.Target(input.Target).Instance, CancellationToken.None);
        return CiCdState.From(await client.GetProgressAsync(input.ProgressId));
    }
}

/// <summary>The remote sets that were previewed before the clone: re-inserted loaded, they are previewed again.</summary>
public sealed class PreviewedRemoteSetsActivity(RunServices services) : CloneFlowActivity<RunRef, IReadOnlyList<string>>
{
    /// <inheritdoc />
    public override async Task<IReadOnlyList<string>> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, CancellationToken.None)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        return plan.RemoteSets.Where(s => s.State == "previewed").Select(s => s.SysId).ToList();
    }
}

/// <summary>Plugins active before the clone that are not active now (runbook step 12).</summary>
public sealed class PluginDiffActivity(RunServices services) : CloneFlowActivity<RunRef, IReadOnlyList<string>>
{
    /// <inheritdoc />
    public override async Task<IReadOnlyList<string>> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, CancellationToken.None)
            ?? throw new InvalidOperationException($"Run {input.RunId} has no plan.");
        var client = await services.Clients.GetAsync(plan.TargetInstance, CancellationToken.None);
        var active = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in client.GetRecordsAsync("sys_plugins", ServiceNow.Tables.TableQuery.Where("active", "active"), ["sys_id", "source"]))
        {
            active.Add(row.Get("source") ?? string.Empty);
        }

        return plan.ActivePlugins.Where(p => !active.Contains(p)).ToList();
    }
}
