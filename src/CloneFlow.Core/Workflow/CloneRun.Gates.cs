using CloneFlow.Core.Activities;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;
using Microsoft.DurableTask;

namespace CloneFlow.Core.Workflow;

/// <summary>Phases, people and notifications: how the run records its timeline, asks approvers and recovers from failed steps.</summary>
internal sealed partial class CloneRun
{
    /// <summary>Runs one phase, recording it on the timeline and in the custom status.</summary>
    private async Task<T> PhaseAsync<T>(string phase, string message, Func<Task<T>> body)
    {
        var started = Now;
        SetStatus(_status with { Phase = phase, Message = message, Done = 0, Total = 0 });
        try
        {
            var result = await body();
            _timeline.Add(new PhaseRecord(phase, started, Now, "ok"));
            return result;
        }
        catch (Exception ex) when (ex is TaskFailedException or RunStopped)
        {
            _timeline.Add(new PhaseRecord(phase, started, Now, "failed"));
            throw;
        }
    }

    /// <summary>
    /// A step after the clone was requested: it never fails the run by itself. A failure asks a person
    /// (retry, skip with reason, abort); the exports stay in Blob storage whatever they choose.
    /// </summary>
    private async Task<T?> StepAsync<T>(string phase, string message, Func<Task<T>> body)
    {
        const int maxAttempts = 20;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PhaseAsync(phase, message, body);
            }
            catch (TaskFailedException ex)
            {
                var error = ex.FailureDetails.ErrorMessage;
                await NotifyAsync(NotificationKind.CloneFailed, Run.ApproversFor("failure"), $"'{message}' failed after the clone: {error}", [new("Step", phase)]);
                var decision = await AskAsync(GateForms.FailureGate, $"'{message}' failed: {error}. Retry, skip it (give a reason), or abort (the exports stay for a manual restore)?", [new("Step", phase)], allowCancel: false, actions: [GateForms.Retry, GateForms.Skip, GateForms.Abort]);
                var action = decision.Approved ? decision.Choice(GateForms.Action) ?? GateForms.Retry : GateForms.Abort;
                if (action == GateForms.Skip)
                {
                    _timeline.Add(new PhaseRecord($"{phase} skipped: {decision.Choice(GateForms.Reason) ?? decision.Comment}", Now, Now, "skipped"));
                    return default;
                }

                if (action != GateForms.Retry || attempt == maxAttempts)
                {
                    throw new RunStopped(RunOutcome.Failed, $"Aborted by {decision.By} after '{message}' failed ({error}). The exports are kept for a manual restore.");
                }
            }
        }
    }

    /// <summary>
    /// Asks the gate's approvers and waits for their decisions (external events named per gate and
    /// round), reminding, escalating and finally expiring on durable timers. Quorum, separation of
    /// duties and duplicate decisions are handled by the approver policy.
    /// </summary>
    private async Task<GateOutcome> AskAsync(string gate, string question, IReadOnlyList<NotificationFact> facts, bool allowCancel = true, IReadOnlyList<string>? actions = null)
    {
        var round = _rounds[gate] = _rounds.GetValueOrDefault(gate) + 1;
        var policies = Run.Policies;
        var approvers = Run.ApproversFor(gate).ToList();
        var started = Now;
        var waiting = new WaitingGate(gate, round, approvers, started, question, actions) { Until = started + policies.ApprovalTimeout };
        SetStatus(_status with { PendingApprovals = [.. _status.PendingApprovals.Where(p => p.Gate != gate), waiting], Message = question });
        waiting = waiting with { Channels = await PromptAsync(NotificationKind.ApprovalRequest, gate, round, approvers, question, facts, policies.ApprovalTimeout) };
        SetStatus(_status with { PendingApprovals = [.. _status.PendingApprovals.Where(p => p.Gate != gate), waiting] });

        var deadlines = new[] { started + policies.ReminderAfter, started + policies.EscalateAfter, started + policies.ApprovalTimeout };
        var stage = 0;
        var decisions = new List<ApprovalDecision>();
        var eventName = GateEvents.Name(gate, round);
        var next = _context.WaitForExternalEvent<GateDecision>(eventName);
        // Bounded: three deadlines and at most a few decisions per approver (duplicates and strangers included).
        var maxWaits = (approvers.Count * 3) + 10;
        try
        {
            for (var wait = 0; wait < maxWaits; wait++)
            {
                using var timerCancellation = new CancellationTokenSource();
                var timer = _context.CreateTimer(deadlines[stage].UtcDateTime, timerCancellation.Token);
                Task[] waits = allowCancel && _cancel is not null ? [next, timer, _cancel] : [next, timer];
                var winner = await Task.WhenAny(waits);
                if (winner != timer)
                {
                    // Synchronous on purpose: CancelAsync would resume the orchestrator off its own thread.
                    timerCancellation.Cancel();
                }

                if (winner == _cancel)
                {
                    throw new RunStopped(RunOutcome.Canceled, $"Canceled on request by {_cancel!.Result.By} while waiting for the {gate} approval: {_cancel.Result.Reason}");
                }

                if (winner == next)
                {
                    var answer = next.Result;
                    if (decisions.Any(d => d.DecisionId == answer.Decision.DecisionId))
                    {
                        // A recorded decision passed on again (its first delivery may have been lost): counted once.
                        next = _context.WaitForExternalEvent<GateDecision>(eventName);
                        continue;
                    }

                    decisions.Add(answer.Decision);
                    var policy = new ApproverPolicy(Run.Target, gate, approvers, policies.Quorum > 1 ? ApprovalQuorum.DistinctCount(policies.Quorum) : ApprovalQuorum.AnyOne, separationOfDuties: !policies.RequesterMayApprove);
                    var tally = policy.Tally(decisions, _input.RequestedBy);
                    if (tally.State == ApprovalTallyState.Pending)
                    {
                        // The previous wait completed (not cancelled), so waiting again on the same name is safe.
                        next = _context.WaitForExternalEvent<GateDecision>(eventName);
                        continue;
                    }

                    var approved = tally.State == ApprovalTallyState.Approved;
                    foreach (var decision in decisions.Where(d => policy.IsAllowedApprover(d.Approver)))
                    {
                        _approvals.Add(new RecordedApproval(gate, decision.Verdict == ApprovalVerdict.Approve ? "approve" : "reject", decision.Approver, decision.At, decision.Comment));
                    }

                    return new GateOutcome(approved, false, answer);
                }

                stage++;
                if (stage == 1)
                {
                    await PromptAsync(NotificationKind.Reminder, gate, round, approvers, question, facts, policies.ApprovalTimeout - policies.ReminderAfter);
                }
                else if (stage == 2)
                {
                    approvers = [.. approvers.Concat(policies.EscalationApprovers).Distinct(StringComparer.OrdinalIgnoreCase)];
                    await PromptAsync(NotificationKind.Escalation, gate, round, approvers, question, facts, policies.ApprovalTimeout - policies.EscalateAfter);
                    waiting = waiting with { Approvers = approvers };
                    SetStatus(_status with { PendingApprovals = [.. _status.PendingApprovals.Where(p => p.Gate != gate), waiting] });
                }
                else
                {
                    _approvals.Add(new RecordedApproval(gate, "expired", string.Empty, Now, $"no decision within {policies.ApprovalTimeout}"));
                    if (gate is GateForms.FailureGate or GateForms.ProblemsGate)
                    {
                        // After the clone nothing is abandoned silently: ask again in a new round.
                        return await AskAsync(gate, question, facts, allowCancel, actions);
                    }

                    return new GateOutcome(false, true, null);
                }
            }

            _approvals.Add(new RecordedApproval(gate, "expired", string.Empty, Now, $"{maxWaits} answers without a valid decision"));
            return new GateOutcome(false, true, null);
        }
        finally
        {
            SetStatus(_status with { PendingApprovals = [.. _status.PendingApprovals.Where(p => p.Gate != gate)] });
        }
    }

    /// <summary>Sends the gate's links; returns the channels that delivered them (none when the prompt failed).</summary>
    private async Task<IReadOnlyList<string>> PromptAsync(NotificationKind kind, string gate, int round, IReadOnlyList<string> approvers, string question, IReadOnlyList<NotificationFact> facts, TimeSpan lifetime)
    {
        var notification = Message(kind, question, facts) with { Gate = gate, Round = round };
        PromptOutcome outcome;
        try
        {
            outcome = await _context.CallActivityAsync<PromptOutcome>(nameof(PromptApproversActivity), new ApprovalPrompt(notification, approvers, lifetime), Retries);
        }
        catch (TaskFailedException)
        {
            outcome = new PromptOutcome(false, []);
        }

        if (!outcome.Delivered)
        {
            SetStatus(_status with { NotificationFailures = _status.NotificationFailures + 1 });
        }

        return outcome.Channels;
    }

    private async Task NotifyAsync(NotificationKind kind, IReadOnlyList<string> to, string text, IReadOnlyList<NotificationFact> facts)
    {
        var recipients = to.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (recipients.Count == 0 || _run is null)
        {
            return;
        }

        if (!await TryCallAsync(nameof(NotifyActivity), new NotifyRequest(Message(kind, text, facts), recipients)))
        {
            SetStatus(_status with { NotificationFailures = _status.NotificationFailures + 1 });
        }
    }

    /// <summary>A notification that fails never fails the run: it only shows in the status.</summary>
    private async Task<bool> TryCallAsync(string activity, object input)
    {
        try
        {
            return await _context.CallActivityAsync<bool>(activity, input, Retries);
        }
        catch (TaskFailedException)
        {
            return false;
        }
    }

    private Notification Message(NotificationKind kind, string text, IReadOnlyList<NotificationFact> facts) => new()
    {
        Kind = kind,
        RunId = _input.RunId,
        Source = Run.Source,
        Target = Run.TargetInstance,
        Text = text,
        Facts = facts,
    };

    /// <summary>How a gate ended.</summary>
    private sealed record GateOutcome(bool Approved, bool Expired, GateDecision? Answer)
    {
        public string By => Answer?.Decision.Approver ?? "nobody";

        public string Comment => Answer?.Decision.Comment ?? string.Empty;

        public IReadOnlyDictionary<string, string> Choices => Answer?.Choices ?? new Dictionary<string, string>();

        public string? Choice(string key) => Answer?.Choice(key);
    }
}
