using CloneFlow.Core.Approvals;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Workflow;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CloneFlow.Core.Runs;

/// <summary>How asking for a run ended.</summary>
/// <param name="RunId">The run started, or the run already busy with the target.</param>
/// <param name="Started">False when the target was busy (the HTTP API answers 409 with the running id).</param>
public sealed record StartOutcome(string RunId, bool Started);

/// <summary>
/// Starts, inspects, cancels and approves runs through a Durable Task client: the operations both
/// hosts (Azure Functions and the local host) and the CLI share. Targets come only from configuration.
/// </summary>
public sealed class CloneRuns(DurableTaskClient client, CloneFlowConfiguration configuration, TimeProvider? timeProvider = null, StorageDurability? durability = null)
{
    private static readonly OrchestrationRuntimeStatus[] Active = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>How long the storage may lose what it acknowledged; starting a run, a decision and a cancel are answered only after it.</summary>
    private StorageDurability Durability { get; } = durability ?? StorageDurability.Immediate;

    /// <summary>Starts a run for a configured target unless one is already active for it (one active run per target).</summary>
    /// <exception cref="ArgumentException">The target is not configured.</exception>
    public async Task<StartOutcome> StartAsync(string target, string requestedBy, bool dryRun, CancellationToken cancellationToken, string? runId = null)
    {
        if (!configuration.Targets.ContainsKey(target))
        {
            throw new ArgumentException($"'{target}' is not a configured target; configured: {string.Join(", ", configuration.Targets.Keys)}.", nameof(target));
        }

        if (await ActiveRunAsync(target, cancellationToken) is { } busy)
        {
            return new StartOutcome(busy, false);
        }

        var id = runId ?? CloneRunInput.RequestedRunId(target, _time.GetUtcNow());
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(CloneOrchestration), new CloneRunInput(id, target, requestedBy, dryRun), new StartOrchestrationOptions(id), cancellationToken);
        // A run is "accepted" once the storage cannot lose it any more.
        await Durability.SettleAsync(_time, cancellationToken);
        return new StartOutcome(id, true);
    }

    /// <summary>The active run of a target (requested or monthly refresh), if any.</summary>
    public async Task<string?> ActiveRunAsync(string target, CancellationToken cancellationToken)
    {
        foreach (var prefix in new[] { $"clone-{target}-", $"refresh-{target}-" })
        {
            var query = new OrchestrationQuery { InstanceIdPrefix = prefix, Statuses = Active, PageSize = 10 };
            await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
            {
                return instance.InstanceId;
            }
        }

        return null;
    }

    /// <summary>The newest runs (at most <paramref name="count"/>, newest first) created in the last <paramref name="within"/>.</summary>
    public async Task<IReadOnlyList<OrchestrationMetadata>> ListAsync(int count, TimeSpan within, CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery { CreatedFrom = _time.GetUtcNow() - within, PageSize = 100 };
        var runs = new List<OrchestrationMetadata>();
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (instance.Name == nameof(CloneOrchestration))
            {
                runs.Add(instance);
            }

            // The store answers in its own order; keep a bounded window and sort it.
            if (runs.Count >= count * 4)
            {
                runs = [.. runs.OrderByDescending(r => r.CreatedAt).Take(count)];
            }
        }

        return [.. runs.OrderByDescending(r => r.CreatedAt).Take(count)];
    }

    /// <summary>The run's custom status, or null for an unknown run.</summary>
    public async Task<(OrchestrationMetadata Instance, RunStatus? Status)?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
        {
            return null;
        }

        var status = RunStatus.Parse(instance.SerializedCustomStatus);
        return (instance, status);
    }

    /// <summary>Asks a run to stop (it cancels the clone while it still can).</summary>
    public async Task CancelAsync(string runId, string by, string reason, CancellationToken cancellationToken)
    {
        await client.RaiseEventAsync(runId, CancelRequest.EventName, new CancelRequest(by, reason), cancellationToken);
        await Durability.SettleAsync(_time, cancellationToken);
    }

    /// <summary>
    /// Records an approver's decision from a signed link and passes it to the run: the token, the
    /// gate the run waits on, the approver policy and single use are all checked first.
    /// </summary>
    public async Task<ApprovalDecisionResult> DecideAsync(
        ApprovalDecisionRecorder recorder,
        string? token,
        ApprovalVerdict verdict,
        string? comment,
        IReadOnlyDictionary<string, string>? choices,
        string? signedInPrincipal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var result = await recorder.DecideAsync(token, verdict, comment, choices, signedInPrincipal, FindPendingGateAsync, cancellationToken);
        // A link used before on a round the run still waits on: its recorded decision may never have
        // reached the run (a crash between recording and delivery), so it is passed on again; the run
        // counts a decision once, by its id.
        var deliver = result.Accepted ? new GateDecision(result.Decision, result.Choices)
            : result.Earlier is { } earlier ? new GateDecision(earlier.Decision, earlier.Choices ?? new Dictionary<string, string>())
            : null;
        if (deliver is not null)
        {
            var claims = result.Claims!;
            await client.RaiseEventAsync(claims.RunId, GateEvents.Name(claims.Gate, claims.Round), deliver, cancellationToken);
            // "Recorded" is said once the storage cannot lose it any more.
            await Durability.SettleAsync(_time, cancellationToken);
        }

        return result;
    }

    private async ValueTask<PendingGate?> FindPendingGateAsync(ApprovalClaims claims, CancellationToken cancellationToken)
    {
        if (await GetAsync(claims.RunId, cancellationToken) is not { } run || run.Instance.IsCompleted || run.Status is null)
        {
            return null;
        }

        var waiting = run.Status.PendingApprovals.FirstOrDefault(g => g.Gate == claims.Gate && g.Round == claims.Round);
        var input = run.Instance.ReadInputAs<CloneRunInput>();
        if (waiting is null || input is null)
        {
            return null;
        }

        var policies = configuration.Policies;
        var quorum = policies.Quorum > 1 ? ApprovalQuorum.DistinctCount(policies.Quorum) : ApprovalQuorum.AnyOne;
        var policy = new ApproverPolicy(input.Target, claims.Gate, waiting.Approvers, quorum, separationOfDuties: !policies.RequesterMayApprove, requireSignedInPrincipal: policies.RequireSignedInApprover);
        return new PendingGate(new PendingApproval(claims.RunId, input.Target, claims.Gate, claims.Round, input.RequestedBy), policy);
    }
}
