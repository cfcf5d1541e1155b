using CloneFlow.Core.Activities;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Runs;
using CloneFlow.Core.ServiceNow.CiCd;
using CloneFlow.Core.ServiceNow.Clones;
using Microsoft.DurableTask;

namespace CloneFlow.Core.Workflow;

/// <summary>
/// One execution (or replay) of <see cref="CloneOrchestration"/>: the runbook phase by phase. State
/// kept here is small (counts, ids, decisions); plans, exports and reports live in Blob storage.
/// </summary>
internal sealed partial class CloneRun
{
    private const int ExportChunkSize = 10;
    private const int MaxExportChunkSize = 25;

    /// <summary>
    /// Export chunks at once: the local sets' chunks (<see cref="ExportSpread"/> of them for up to 50
    /// sets) and, beside them from the start, the small ones (remote sets, plugins, apps, extra tables),
    /// which would otherwise wait for a local chunk to end and then run on their own at the end.
    /// </summary>
    private const int ExportParallelism = 6;

    /// <summary>Restore chunks at once.</summary>
    private const int Parallelism = 4;

    /// <summary>
    /// Chunks the local (and the remote) sets are spread over for export. How many sets read at once no
    /// longer depends on the chunks (the client's read places, shared by all chunks, decide), so fewer,
    /// larger chunks only save what each chunk costs: its plan read, its listings, its header call to the
    /// instance and its round trip through the orchestration.
    /// </summary>
    private const int ExportSpread = 2;

    private static readonly TaskOptions Retries = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 4,
        firstRetryInterval: TimeSpan.FromSeconds(2),
        backoffCoefficient: 2,
        maxRetryInterval: TimeSpan.FromMinutes(1))
    {
        // Finding the run's own clone is an answer, not a fault: retrying cannot change it.
        HandleFailure = failure => !failure.IsCausedBy<CloneAlreadyRequestedException>(),
    });

    private readonly TaskOrchestrationContext _context;
    private readonly CloneRunInput _input;
    private readonly RunRef _ref;
    private readonly List<RecordedApproval> _approvals = [];
    private readonly List<PhaseRecord> _timeline = [];
    private readonly List<string> _pluginsMissing = [];
    private readonly List<string> _pluginsActivated = [];
    private readonly Dictionary<string, int> _rounds = new(StringComparer.Ordinal);
    private IReadOnlyList<CheckResult> _checks = [];
    private RunStatus _status = new();
    private RunContext? _run;
    private Task<CancelRequest>? _cancel;
    private string? _cloneNumber;
    private int _cloneRequests;

    public CloneRun(TaskOrchestrationContext context, CloneRunInput input)
    {
        _context = context;
        _input = input;
        _ref = new RunRef(input.RunId, input.Target);
    }

    private RunContext Run => _run ?? throw new InvalidOperationException("The run context is not loaded yet.");

    private DateTimeOffset Now => new(_context.CurrentUtcDateTime, TimeSpan.Zero);

    public async Task<CloneRunResult> RunAsync()
    {
        // One wait for the whole run: it is raced at every wait, never cancelled, so it never swallows an event.
        _cancel = _context.WaitForExternalEvent<CancelRequest>(CancelRequest.EventName);
        try
        {
            _run = await CallAsync<RunContext>(nameof(LoadRunContextActivity), _ref);
        }
        catch (TaskFailedException ex)
        {
            return await FinishAsync(RunOutcome.Failed, $"The run cannot start: {ex.FailureDetails.ErrorMessage}", writeReport: false);
        }

        try
        {
            return await RunPhasesAsync();
        }
        catch (RunStopped stop) when (_cloneNumber is not null)
        {
            return await FinishAsync(stop.Outcome, stop.Message);
        }
        catch (RunStopped stop)
        {
            return await FinishBeforeCloneAsync(stop.Outcome, stop.Message);
        }
        catch (TaskFailedException ex) when (_cloneNumber is null)
        {
            // Before a clone is requested a failure is safe: nothing on the target has changed.
            return await FinishBeforeCloneAsync(RunOutcome.Failed, $"{ex.FailureDetails.ErrorMessage} No clone was requested; the target is unchanged and any verified exports are kept.");
        }
    }

    /// <summary>
    /// Ends a run that, by its history, never had its clone requested: but storage that lost its last
    /// seconds can take a request out of the history while the clone goes on. So the run first asks
    /// the clone driver; if its clone exists, it watches it and restores instead of saying "unchanged".
    /// </summary>
    private async Task<CloneRunResult> FinishBeforeCloneAsync(RunOutcome outcome, string reason)
    {
        if (_input.DryRun)
        {
            return await FinishAsync(outcome, reason);
        }

        OwnCloneRequestInfo own;
        try
        {
            own = await CallAsync<OwnCloneRequestInfo>(nameof(FindCloneRequestActivity), _ref);
        }
        catch (TaskFailedException ex)
        {
            return await FinishAsync(outcome, $"{reason} (CloneFlow could not check on {Run.Source} that this run requested no clone: {ex.FailureDetails.ErrorMessage}. Look at the clone requests for {Run.TargetInstance} before using it.)");
        }

        return own.Number is null ? await FinishAsync(outcome, reason) : await ResumeFoundCloneAsync(own);
    }

    /// <summary>The run's clone exists though its history had not recorded it: watch it and restore from the verified exports.</summary>
    private async Task<CloneRunResult> ResumeFoundCloneAsync(OwnCloneRequestInfo own)
    {
        _cloneNumber = own.Number;
        _cloneRequests = 1;
        _timeline.Add(new PhaseRecord($"clone {own.Number} found on {Run.Source}", Now, Now, "ok"));
        SetStatus(_status with { CloneRequest = _cloneNumber, Message = $"Clone {_cloneNumber} of this run was found on {Run.Source}; watching it, then restoring from the verified exports." });
        try
        {
            if (own.Plan is not { } plan)
            {
                throw new RunStopped(RunOutcome.Failed, $"Clone {_cloneNumber} of this run was found on {Run.Source}, but the run has no plan in Blob storage, so nothing can be restored by CloneFlow.");
            }

            if (!own.ExportsComplete)
            {
                var question = $"Clone {_cloneNumber} of this run was found on {Run.Source}, but only {own.VerifiedExports} of the {plan.ExportItems} exports are verified in Blob storage. Skip the missing ones and restore what is there (give a reason), or abort and restore by hand?";
                var decision = await AskAsync(GateForms.FailureGate, question, [new("Clone request", _cloneNumber!)], allowCancel: false, actions: [GateForms.Skip, GateForms.Abort]);
                if (!decision.Approved || decision.Choice(GateForms.Action) != GateForms.Skip)
                {
                    throw new RunStopped(RunOutcome.Failed, $"Stopped by {decision.By}: clone {_cloneNumber} exists, {own.VerifiedExports} of {plan.ExportItems} exports are verified. The exports are kept for a manual restore.");
                }
            }

            return await AfterCloneRequestedAsync(plan);
        }
        catch (RunStopped stop)
        {
            return await FinishAsync(stop.Outcome, stop.Message);
        }
    }

    private async Task<CloneRunResult> RunPhasesAsync()
    {
        var preflight = await PhaseAsync("preflight", "Checking accounts, roles and the target", () => CallAsync<PreflightResult>(nameof(PreflightActivity), _ref));
        if (!preflight.Passed)
        {
            throw new RunStopped(RunOutcome.Failed, "Preflight found problems; nothing was exported or cloned: " + string.Join("; ", preflight.Problems));
        }

        var plan = await PhaseAsync("plan", "Taking the inventory of in-flight work", () => CallAsync<PlanSummary>(nameof(PlanActivity), _ref));
        // A dry run changes nothing on any instance: no freeze and no approval, unless the policy asks for them.
        if (!_input.DryRun || Run.Policies.DryRunsNeedApproval)
        {
            await NotifyAsync(NotificationKind.FreezeNotice, [.. Run.Developers, .. Run.ApproversFor("clone")], $"Change freeze on {Run.TargetInstance}: a clone from {Run.Source} is planned. Keep your work in update sets; do not promote anything until the restore report arrives.", PlanFacts(plan));
            var approval = await AskAsync(GateForms.CloneGate, $"Approve cloning {Run.Source} over {Run.TargetInstance}? {plan.LocalSets} local and {plan.RemoteSets} remote update sets ({plan.Updates} updates) will be exported and restored; {plan.EmptySets} empty sets are not kept.", PlanFacts(plan));
            if (!approval.Approved)
            {
                throw new RunStopped(RunOutcome.Rejected, approval.Expired ? "Nobody approved the clone in time; nothing was exported or cloned." : $"{approval.By} rejected the clone: {approval.Comment}");
            }
        }

        // Exports are taken once, before the request: never again once the run's clone exists.
        if (!_input.DryRun && await CallAsync<OwnCloneRequestInfo>(nameof(FindCloneRequestActivity), _ref) is { Number: not null } own)
        {
            return await ResumeFoundCloneAsync(own);
        }

        var exported = await PhaseAsync("export", "Exporting and verifying in-flight work", () => ExportAllAsync(plan));
        if (exported.Failed > 0)
        {
            throw new RunStopped(RunOutcome.Failed, $"No clone was requested: {exported.Failed} export(s) could not be verified ({string.Join("; ", exported.Failures)}). The verified exports are kept.");
        }

        if (_input.DryRun)
        {
            // Where a run would request the clone (which gathers and checks the manifest itself), a dry run gathers it.
            var manifested = await PhaseAsync("manifest", "Gathering the manifest of verified exports", () => CallAsync<int>(nameof(WriteManifestActivity), _ref));
            return manifested == exported.Verified
                ? await FinishAsync(RunOutcome.DryRun, $"Dry run: {exported.Verified} exports verified; no clone requested.")
                : await FinishAsync(RunOutcome.Failed, $"Dry run: the manifest lists {manifested} verified exports of {exported.Verified}; no clone requested.");
        }

        ThrowIfCanceledBeforeClone();
        await PhaseAsync("clone", $"Requesting the clone of {Run.Source} over {Run.TargetInstance}", RequestCloneAsync);
        return await AfterCloneRequestedAsync(plan);
    }

    /// <summary>From the clone request on: watch the clone, then restore, check, verify and report.</summary>
    private async Task<CloneRunResult> AfterCloneRequestedAsync(PlanSummary plan)
    {
        await PhaseAsync("monitor", "Watching the clone", MonitorCloneAsync);
        await StepAsync("restart", "Waiting for the target to answer again", WaitForTargetAsync);
        await StepAsync("plugins", "Activating plugins the clone removed", RestorePluginsAsync);
        // The apps first: the sets developers made in their scopes need the scopes back.
        await StepAsync("restore-apps", "Restoring scoped applications in development: their files, tables and rows", () => RestoreAppsAsync(plan));
        await StepAsync("restore-remote", "Re-inserting uncommitted remote update sets", () => RestoreRemoteSetsAsync(plan));
        await StepAsync("restore-local", "Re-inserting local update sets as one batch, previewing and committing", () => RestoreLocalSetsAsync(plan));
        await StepAsync("states", "Putting update sets back in progress", () => CallAsync<StatesResult>(nameof(RestoreStatesActivity), _ref));
        await StepAsync("restore-tables", "Re-inserting extra table rows", () => RestoreChunksAsync(ExportKind.ExtraTable, plan.ExtraTables, chunk: 1));
        _checks = await StepAsync("checks", "Running post-clone checks", () => CallAsync<IReadOnlyList<CheckResult>>(nameof(PostCloneChecksActivity), _ref)) ?? [];
        var verification = await StepAsync("verify", "Comparing the target with the exports", () => CallAsync<VerificationSummary>(nameof(VerifyRestoreActivity), _ref));
        var failedChecks = _checks.Where(c => !c.Passed).Select(c => c.Name).ToList();
        var reason = verification is null
            ? "Restored, but the verification was skipped."
            : !verification.Verified
                ? Differences(verification)
                : failedChecks.Count > 0
                    // The sets are back, but the instance is not as it should be: not a plain success.
                    ? $"Completed with failed checks: all {verification.Sets} update sets restored with every update, but {failedChecks.Count} of {_checks.Count} post-clone checks failed ({string.Join(", ", failedChecks)})."
                    : $"All {verification.Sets} update sets restored with every update{(verification.Apps > 0 ? $", {verification.Apps} scoped app(s) back whole" : string.Empty)}; {_checks.Count} of {_checks.Count} checks passed.";
        return await FinishAsync(RunOutcome.Completed, reason, verified: verification?.Verified == true && failedChecks.Count == 0);
    }

    /// <summary>What differs after the restore, in one sentence.</summary>
    private static string Differences(VerificationSummary verification)
    {
        var parts = new List<string>();
        if (verification.Identical < verification.Sets)
        {
            parts.Add($"{verification.Sets - verification.Identical} of {verification.Sets} update sets differ ({verification.Missing} missing, {verification.Changed} changed updates)");
        }

        if (verification.AppsIdentical < verification.Apps)
        {
            parts.Add($"{verification.Apps - verification.AppsIdentical} of {verification.Apps} scoped apps are not back whole");
        }

        if (verification.RowsMissing > 0)
        {
            parts.Add($"{verification.RowsMissing} extra-table rows are missing");
        }

        return $"After the restore {string.Join("; ", parts)}: see the report.";
    }

    private async Task<bool> RequestCloneAsync()
    {
        var request = await CallAsync<CloneRequestInfo>(nameof(RequestCloneActivity), _ref);
        switch (request.Kind)
        {
            case CloneRequestKind.Created or CloneRequestKind.AlreadyRequested:
                _cloneNumber = request.Number;
                break;
            case CloneRequestKind.NeedsPerson:
                var answer = await AskAsync(GateForms.CloneNumberGate, request.Reason ?? "Request the clone in the console and enter its number.", []);
                _cloneNumber = answer.Approved ? answer.Choice(GateForms.Number) : null;
                if (string.IsNullOrWhiteSpace(_cloneNumber))
                {
                    _cloneNumber = null;
                    throw new RunStopped(RunOutcome.Failed, "No clone request number was given; nothing was cloned. The exports are kept.");
                }

                // The number is the manual request's only trace outside this history.
                await CallAsync<bool>(nameof(RecordCloneRequestActivity), new CloneRef(_input.RunId, _input.Target, _cloneNumber));
                break;
            case CloneRequestKind.TargetBusy:
                throw new RunStopped(RunOutcome.Failed, $"No clone was requested: {request.Reason}");
            default:
                throw new RunStopped(RunOutcome.Failed, $"The clone request was refused: {request.Reason}. The exports are kept.");
        }

        _cloneRequests = 1;
        SetStatus(_status with { CloneRequest = _cloneNumber });
        await NotifyAsync(NotificationKind.CloneStarted, [.. Run.Developers, .. Run.ApproversFor("clone")], $"Clone {_cloneNumber} of {Run.Source} over {Run.TargetInstance} requested.", [new("Clone request", _cloneNumber!)]);
        return true;
    }

    private async Task<bool> MonitorCloneAsync()
    {
        var interval = Run.Policies.PollInterval;
        var deadline = Now + Run.Policies.CloneTimeout;
        var lastState = string.Empty;

        // Bounded by the timeout: every poll waits at least the poll interval.
        var maxPolls = (int)Math.Min(10_000, (Run.Policies.CloneTimeout.Ticks / Math.Max(1, Run.Policies.PollInterval.Ticks)) + 10);
        for (var poll = 0; poll < maxPolls; poll++)
        {
            CloneStatusInfo status;
            try
            {
                status = await CallAsync<CloneStatusInfo>(nameof(CloneStatusActivity), new CloneRef(_input.RunId, _input.Target, _cloneNumber!));
            }
            catch (TaskFailedException ex)
            {
                await DecideOnCloneAsync($"Clone {_cloneNumber} cannot be read on {Run.Source} ({ex.FailureDetails.ErrorMessage}). Keep watching, or abort?");
                return await MonitorCloneAsync();
            }

            SetStatus(_status with { Message = $"Clone {_cloneNumber}: {status.RawState} {status.Phase}".Trim(), CloneState = $"{status.RawState} {status.Phase}".Trim(), ClonePercent = status.Percent });
            var state = $"{status.State}/{status.Phase}";
            if (state != lastState)
            {
                interval = Run.Policies.PollInterval;
                lastState = state;
            }

            switch (status.State)
            {
                case CloneState.Completed:
                    await NotifyAsync(NotificationKind.CloneCompleted, Run.ApproversFor("clone"), $"Clone {_cloneNumber} completed; CloneFlow is restoring the in-flight work.", []);
                    return true;
                case CloneState.Canceled:
                    throw new RunStopped(RunOutcome.Canceled, $"Clone {_cloneNumber} was canceled; the target is unchanged and the exports are kept.");
                case CloneState.Error or CloneState.Hold or CloneState.Unknown or CloneState.RolledBack or CloneState.RollbackFailed:
                    await NotifyAsync(NotificationKind.CloneFailed, Run.ApproversFor("failure"), $"Clone {_cloneNumber} is {status.RawState}: {status.Message}", []);
                    await DecideOnCloneAsync($"Clone {_cloneNumber} is {status.RawState} ({status.Message}). Retry watching it (for example after resuming it in the console), or abort?");
                    return await MonitorCloneAsync();
            }

            if (Now > deadline)
            {
                await NotifyAsync(NotificationKind.CloneStalled, Run.ApproversFor("failure"), $"Clone {_cloneNumber} has taken longer than {Run.Policies.CloneTimeout}.", []);
                await DecideOnCloneAsync($"Clone {_cloneNumber} is still {status.RawState} after {Run.Policies.CloneTimeout}. Keep watching, or abort?");
                return await MonitorCloneAsync();
            }

            if (await SleepAsync(interval))
            {
                await HandleCancelDuringCloneAsync(status);
            }

            interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * Run.Policies.PollBackoff), Run.Policies.MaxPollInterval.Ticks));
        }

        await DecideOnCloneAsync($"Clone {_cloneNumber} was polled {maxPolls} times without finishing. Keep watching, or abort?");
        return await MonitorCloneAsync();
    }

    private async Task DecideOnCloneAsync(string question)
    {
        var decision = await AskAsync(GateForms.FailureGate, question, [new("Clone request", _cloneNumber ?? "-")], allowCancel: false, actions: [GateForms.Retry, GateForms.Abort]);
        if (!decision.Approved || decision.Choice(GateForms.Action) == GateForms.Abort)
        {
            throw new RunStopped(RunOutcome.Failed, $"Stopped while the clone was in trouble ({question}). The exports are kept for a manual restore.");
        }
    }

    private async Task HandleCancelDuringCloneAsync(CloneStatusInfo status)
    {
        var asked = _cancel!.Result;
        var canceled = await CallAsync<CloneStatusInfo>(nameof(CancelCloneActivity), new CloneRef(_input.RunId, _input.Target, _cloneNumber!));
        if (canceled.State == CloneState.Canceled)
        {
            throw new RunStopped(RunOutcome.Canceled, $"Canceled on request by {asked.By}: clone {_cloneNumber} was canceled in phase '{status.Phase}'; the target is unchanged and the exports are kept.");
        }

        // Past node repoint the target is already overwritten: restoring is the only safe way on. The refusal
        // is recorded once, the person who asked is told, and a later cancel is waited for afresh (the
        // completed wait would otherwise end every later sleep at once).
        _timeline.Add(new PhaseRecord($"cancel by {asked.By} refused", Now, Now, "failed"));
        SetStatus(_status with { Message = $"Cancel refused: {canceled.Message}. CloneFlow will restore the in-flight work." });
        _cancel = _context.WaitForExternalEvent<CancelRequest>(CancelRequest.EventName);
        await NotifyAsync(NotificationKind.CancelRefused, [asked.By, .. Run.ApproversFor(GateForms.CloneGate)], $"Clone {_cloneNumber} could not be canceled: {canceled.Message}. The target is being overwritten; CloneFlow restores the in-flight work when the clone ends.", [new("Clone request", _cloneNumber!)]);
    }

    private async Task<bool> WaitForTargetAsync()
    {
        var deadline = Now + Run.Policies.RestartTimeout;
        while (!await CallAsync<bool>(nameof(ProbeTargetActivity), _ref))
        {
            if (Now > deadline)
            {
                throw new TaskFailedException(nameof(ProbeTargetActivity), 0, new TaskFailureDetails("Timeout", $"{Run.TargetInstance} did not answer within {Run.Policies.RestartTimeout} after the clone.", null, null, null));
            }

            await SleepAsync(Run.Policies.JobPollInterval, raceCancel: false);
        }

        return true;
    }

    private async Task<bool> RestorePluginsAsync()
    {
        var missing = await CallAsync<IReadOnlyList<string>>(nameof(PluginDiffActivity), _ref);
        _pluginsMissing.Clear();
        _pluginsMissing.AddRange(missing);
        if (missing.Count == 0)
        {
            return true;
        }

        if (Run.Policies.PluginActivationNeedsApproval)
        {
            var approval = await AskAsync(GateForms.PluginsGate, $"The clone removed {missing.Count} plugin(s) from {Run.TargetInstance}: {string.Join(", ", missing)}. Activate them before the update sets are previewed?", [new("Plugins", string.Join(", ", missing))], allowCancel: false);
            if (!approval.Approved)
            {
                return true;
            }
        }

        foreach (var plugin in missing)
        {
            var job = await RunJobAsync(CiCdOperation.ActivatePlugin, plugin);
            if (job.Status == CiCdStatus.Successful)
            {
                _pluginsActivated.Add(plugin);
            }
            else
            {
                throw new TaskFailedException(nameof(StartCiCdActivity), 0, new TaskFailureDetails("PluginActivation", $"Activating {plugin} ended {job.Status}: {job.Message}", null, null, null));
            }
        }

        return true;
    }

    /// <summary>Re-inserts the remote sets (they go in loaded), then previews again those that were previewed before the clone.</summary>
    private async Task<bool> RestoreRemoteSetsAsync(PlanSummary plan)
    {
        await RestoreChunksAsync(ExportKind.RemoteSet, plan.RemoteSets);
        if (plan.RemoteSets == 0)
        {
            return true;
        }

        foreach (var sysId in await CallAsync<IReadOnlyList<string>>(nameof(PreviewedRemoteSetsActivity), _ref))
        {
            var preview = await RunJobAsync(CiCdOperation.Preview, sysId);
            if (preview.Status != CiCdStatus.Successful)
            {
                throw new TaskFailedException(nameof(StartCiCdActivity), 0, new TaskFailureDetails("Preview", $"The preview of remote set {sysId}, previewed before the clone, ended {preview.Status}: {preview.Message}", null, null, null));
            }
        }

        return true;
    }

    /// <summary>
    /// Each app's update set goes in, is previewed and committed on its own (its scope, tables and files come
    /// back before any set that uses them is previewed). An app linked to source control is waited for instead,
    /// while ServiceNow's post-clone import brings it back; one not back in time takes its update set after all.
    /// Then the apps' tables' rows go in.
    /// </summary>
    private async Task<bool> RestoreAppsAsync(PlanSummary plan)
    {
        if (plan.ScopedApps == 0)
        {
            return true;
        }

        var apps = await CallAsync<IReadOnlyList<AppSetInfo>>(nameof(AppSetsActivity), _ref);
        foreach (var app in apps.Where(a => a.Route == AppRoutes.UpdateSet))
        {
            await RestoreAppSetAsync(app);
        }

        var linked = apps.Where(a => a.Route == AppRoutes.SourceControl).ToList();
        if (linked.Count > 0)
        {
            foreach (var app in await WaitForImportsAsync(linked))
            {
                _timeline.Add(new PhaseRecord($"{app.Name}: not re-imported from source control in time; restored from its update set", Now, Now, "ok"));
                await RestoreAppSetAsync(app);
            }
        }

        return await RestoreChunksAsync(ExportKind.AppTable, plan.AppTables, chunk: 1);
    }

    private async Task RestoreAppSetAsync(AppSetInfo app)
    {
        await RestoreChunksAsync(ExportKind.ScopedApps, [new ExportChunk(_input.RunId, _input.Target, ExportKind.ScopedApps, app.Index, 1)]);
        await PreviewAndCommitAsync(app.SysId, app.Name);
    }

    /// <summary>Polls until every linked app is back or the import timeout passes; returns those not back.</summary>
    private async Task<List<AppSetInfo>> WaitForImportsAsync(List<AppSetInfo> linked)
    {
        var deadline = Now + Run.Policies.SourceControlImportTimeout;

        // About sixty polls over the timeout at most: the import takes minutes, not seconds.
        var interval = TimeSpan.FromTicks(Math.Max(Run.Policies.JobPollInterval.Ticks, Run.Policies.SourceControlImportTimeout.Ticks / 60));
        while (true)
        {
            var back = (await CallAsync<IReadOnlyList<string>>(nameof(AppsImportedActivity), _ref)).ToHashSet(StringComparer.Ordinal);
            var waiting = linked.Where(a => !back.Contains(a.App)).ToList();
            SetStatus(_status with { Message = $"Waiting for ServiceNow's post-clone import from source control: {linked.Count - waiting.Count} of {linked.Count} app(s) back" });
            if (waiting.Count == 0 || Now >= deadline)
            {
                return waiting;
            }

            await SleepAsync(interval, raceCancel: false);
        }
    }

    private async Task<bool> RestoreLocalSetsAsync(PlanSummary plan)
    {
        if (plan.LocalSets == 0)
        {
            return true;
        }

        var container = await CallAsync<string>(nameof(CreateRestoreBatchActivity), _ref);
        await RestoreChunksAsync(ExportKind.LocalSet, plan.LocalSets);
        return await PreviewAndCommitAsync(container, "the restore batch", batch: true);
    }

    /// <summary>Previews a restored remote set (or the batch), has its problems resolved as the approver chooses, and commits it.</summary>
    private async Task<bool> PreviewAndCommitAsync(string container, string what, bool batch = false)
    {
        const int maxPreviews = 10;
        for (var round = 1; round <= maxPreviews; round++)
        {
            var preview = await RunJobAsync(CiCdOperation.Preview, container);
            if (preview.Status != CiCdStatus.Successful)
            {
                throw new TaskFailedException(nameof(StartCiCdActivity), 0, new TaskFailureDetails("Preview", $"The preview of {what} ended {preview.Status}: {preview.Message}", null, null, null));
            }

            var problems = await CallAsync<ProblemsInfo>(nameof(PreviewProblemsActivity), new ProblemsQuery(_input.RunId, _input.Target, round) { Set = batch ? string.Empty : container });
            if (problems.Count == 0 && Run.Policies.AutoCommitCleanPreviews)
            {
                break;
            }

            var question = problems.Count == 0
                ? "The preview found no problem. Commit the restored update sets?"
                : $"The preview of {what} found {problems.Count} problem(s){(problems.MissingTables.Count > 0 ? $"; missing tables ({string.Join(", ", problems.MissingTables)}) usually mean a missing plugin" : string.Empty)}. Accept or skip each remote update, or re-preview after fixing the cause.";
            var decision = await AskAsync(GateForms.ProblemsGate, question, [new("Problems", problems.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))], allowCancel: false);
            if (!decision.Approved)
            {
                throw new RunStopped(RunOutcome.Failed, $"{decision.By} did not accept the preview ({decision.Comment}); the restored sets are loaded but not committed, and the exports are kept.");
            }

            if (decision.Choice(GateForms.Action) == GateForms.Repreview)
            {
                if (round == maxPreviews)
                {
                    throw new RunStopped(RunOutcome.Failed, $"{what} was previewed {maxPreviews} times without being accepted; it is loaded, not committed, and the exports are kept.");
                }

                continue;
            }

            if (problems.Count > 0)
            {
                var choices = decision.Choices.Where(c => c.Key is not (GateForms.Action or GateForms.DefaultChoice)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
                await CallAsync<int>(nameof(ResolveProblemsActivity), new ProblemResolution(_input.RunId, _input.Target, round, decision.Choice(GateForms.DefaultChoice) ?? GateForms.Accept, choices) { Set = batch ? string.Empty : container });
            }

            break;
        }

        var commit = await RunJobAsync(CiCdOperation.Commit, container);
        return commit.Status == CiCdStatus.Successful
            ? true
            : throw new TaskFailedException(nameof(StartCiCdActivity), 0, new TaskFailureDetails("Commit", $"The commit of {what} ended {commit.Status}: {commit.Message}", null, null, null));
    }

    private async Task<CiCdState> RunJobAsync(CiCdOperation operation, string subject)
    {
        var state = await CallAsync<CiCdState>(nameof(StartCiCdActivity), new CiCdStart(_input.RunId, _input.Target, operation, subject));
        while (!state.IsFinished)
        {
            await SleepAsync(Run.Policies.JobPollInterval, raceCancel: false);
            state = await CallAsync<CiCdState>(nameof(CiCdProgressActivity), new CiCdPoll(_input.RunId, _input.Target, state.ProgressId));
            SetStatus(_status with { Message = $"{operation} {subject}: {state.Status} {state.Percent}%" });
        }

        return state;
    }

    private Task<bool> RestoreChunksAsync(ExportKind kind, int count, int chunk = ExportChunkSize) => RestoreChunksAsync(kind, Chunks(kind, count, chunk));

    private async Task<bool> RestoreChunksAsync(ExportKind kind, List<ExportChunk> chunks)
    {
        var count = chunks.Sum(c => c.Count);
        long failed = 0;
        var failures = new List<string>();
        for (var start = 0; start < chunks.Count; start += Parallelism)
        {
            var wave = chunks.Skip(start).Take(Parallelism).Select(c => CallAsync<RestoreChunkResult>(nameof(RestoreActivity), c)).ToList();
            foreach (var result in await Task.WhenAll(wave))
            {
                failed += result.Failed;
                failures.AddRange(result.Failures);
            }

            SetStatus(_status with { Done = chunks.Take(start + Parallelism).Sum(c => c.Count), Total = count });
        }

        return failed == 0
            ? true
            : throw new TaskFailedException(nameof(RestoreActivity), 0, new TaskFailureDetails("Restore", $"{failed} record(s) of {kind} were refused: {string.Join("; ", failures.Take(3))}", null, null, null));
    }

    private async Task<ExportChunkResult> ExportAllAsync(PlanSummary plan)
    {
        var chunks = Chunks(ExportKind.LocalSet, plan.LocalSets, ExportChunkSizeFor(plan.LocalSets))
            .Concat(Chunks(ExportKind.RemoteSet, plan.RemoteSets, ExportChunkSizeFor(plan.RemoteSets)))
            .Concat(Chunks(ExportKind.Plugins, 1, 1))
            .Concat(Chunks(ExportKind.ScopedApps, plan.ScopedApps, 1))
            .Concat(Chunks(ExportKind.AppTable, plan.AppTables, 1))
            .Concat(Chunks(ExportKind.ExtraTable, plan.ExtraTables, 1))
            .ToList();
        var total = chunks.Sum(c => c.Count);
        int verified = 0, failed = 0;
        var failures = new List<string>();
        await ExportChunksAsync(chunks, result =>
        {
            verified += result.Verified;
            failed += result.Failed;
            failures.AddRange(result.Failures);
            SetStatus(_status with { Done = verified + failed, Total = total, Message = $"Exported and verified {verified} of {total}" });
        });

        if (failed > 0)
        {
            // What failed, and why, stored for people. A phase without failures ends here: the manifest is
            // gathered (and checked) by the clone request, or at the end of a dry run.
            await CallAsync<int>(nameof(WriteManifestActivity), _ref);
        }

        return new ExportChunkResult(verified, failed, failures.Take(5).ToList());
    }

    /// <summary>
    /// Exports chunks, <see cref="ExportParallelism"/> at a time: a new chunk starts as soon as any running one
    /// ends (no waiting for the slowest of a group), so the instance's request slots stay busy to the end.
    /// A chunk whose activity failed through all its retries (the target or Blob storage unreachable for
    /// longer than the retries last, e.g. an outage or an open circuit) is not the end of the run: nothing
    /// has been cloned, so once the others are done a person decides whether to retry the failed chunks
    /// (items verified earlier are kept, not exported again) or abort. Items that were read but could not
    /// be verified are results, not failures, and still stop the run before any clone.
    /// </summary>
    private async Task ExportChunksAsync(List<ExportChunk> chunks, Action<ExportChunkResult> completed)
    {
        const int maxRounds = 10;
        var pending = chunks;
        for (var round = 1; ; round++)
        {
            var failedChunks = new List<ExportChunk>();
            string? error = null;
            var waiting = new Queue<ExportChunk>(pending);
            var running = new List<(ExportChunk Chunk, Task<ExportChunkResult> Call)>();
            while (waiting.Count > 0 || running.Count > 0)
            {
                while (running.Count < ExportParallelism && waiting.Count > 0)
                {
                    ThrowIfCanceledBeforeClone();
                    var chunk = waiting.Dequeue();
                    running.Add((chunk, CallAsync<ExportChunkResult>(nameof(ExportActivity), chunk)));
                }

                // Only the call WhenAny hands back is taken: the order in which calls end is in the
                // history, so a replay takes them in the same order.
                var ended = await Task.WhenAny(running.Select(r => r.Call));
                var index = running.FindIndex(r => r.Call == ended);
                var (endedChunk, call) = running[index];
                running.RemoveAt(index);
                if (call.IsCompletedSuccessfully)
                {
                    completed(call.Result);
                }
                else
                {
                    failedChunks.Add(endedChunk);
                    error ??= (call.Exception?.InnerException as TaskFailedException)?.FailureDetails.ErrorMessage;
                }
            }

            if (failedChunks.Count == 0)
            {
                return;
            }

            error ??= "the export failed";
            var what = string.Join(", ", failedChunks.Select(c => $"{c.Kind} {c.Start + 1}-{c.Start + c.Count}"));
            if (round == maxRounds)
            {
                throw new RunStopped(RunOutcome.Failed, $"No clone was requested: exporting {what} still failed after {maxRounds} rounds ({error}). The verified exports are kept.");
            }

            await NotifyAsync(NotificationKind.CloneFailed, Run.ApproversFor("failure"), $"Exporting {what} failed before the clone: {error}", [new("Step", "export")]);
            var decision = await AskAsync(GateForms.FailureGate, $"Exporting {what} failed: {error}. No clone has been requested. Retry those exports (for example once the instance answers again), or abort?", [new("Step", "export")], actions: [GateForms.Retry, GateForms.Abort]);
            if (!decision.Approved || decision.Choice(GateForms.Action) == GateForms.Abort)
            {
                throw new RunStopped(RunOutcome.Failed, $"Stopped by {decision.By} after exporting {what} failed ({error}). No clone was requested; the target is unchanged and the verified exports are kept.");
            }

            pending = failedChunks;
        }
    }

    /// <summary>
    /// Sets per export chunk: the sets spread over <see cref="ExportSpread"/> chunks when that keeps each
    /// between 10 and 25, so every chunk of an estate up to 50 sets starts at once (at most
    /// <see cref="ExportParallelism"/> chunks run at a time; a larger estate's chunks follow as others end).
    /// </summary>
    private static int ExportChunkSizeFor(int sets) =>
        Math.Clamp((sets + ExportSpread - 1) / ExportSpread, ExportChunkSize, MaxExportChunkSize);

    private List<ExportChunk> Chunks(ExportKind kind, int count, int size) =>
        Enumerable.Range(0, (count + size - 1) / size)
            .Select(i => new ExportChunk(_input.RunId, _input.Target, kind, i * size, Math.Min(size, count - (i * size))))
            .ToList();

    private static IReadOnlyList<NotificationFact> PlanFacts(PlanSummary plan) =>
    [
        new("Local update sets", plan.LocalSets.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Remote update sets", plan.RemoteSets.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Updates", plan.Updates.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Empty sets (not kept)", plan.EmptySets.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Scoped apps in development", plan.ScopedApps.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Active plugins", plan.Plugins.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    private Task<T> CallAsync<T>(string activity, object input) => _context.CallActivityAsync<T>(activity, input, Retries);

    private void SetStatus(RunStatus status)
    {
        _status = status;
        _context.SetCustomStatus(status);
    }

    private void ThrowIfCanceledBeforeClone()
    {
        if (_cancel is { IsCompleted: true })
        {
            throw new RunStopped(RunOutcome.Canceled, $"Canceled on request by {_cancel.Result.By} before any clone was requested: {_cancel.Result.Reason}");
        }
    }

    /// <summary>Waits on a durable timer; true when a cancel arrived instead (the timer is then cancelled).</summary>
    private async Task<bool> SleepAsync(TimeSpan delay, bool raceCancel = true)
    {
        using var timerCancellation = new CancellationTokenSource();
        var timer = _context.CreateTimer(_context.CurrentUtcDateTime.Add(delay), timerCancellation.Token);
        if (!raceCancel || _cancel is null)
        {
            await timer;
            return false;
        }

        var winner = await Task.WhenAny(timer, _cancel);
        if (winner == timer)
        {
            return false;
        }

        // Synchronous on purpose: CancelAsync would resume the orchestrator off its own thread.
        timerCancellation.Cancel();
        return true;
    }

    /// <summary>Ends the run with its report and final notification; the report failing never hides the outcome.</summary>
    private async Task<CloneRunResult> FinishAsync(RunOutcome outcome, string reason, bool verified = false, bool writeReport = true)
    {
        _timeline.Add(new PhaseRecord("finish", Now, Now, outcome == RunOutcome.Completed ? "ok" : outcome.ToString().ToLowerInvariant()));
        SetStatus(_status with { Phase = "finished", Message = reason, PendingApprovals = [] });
        var report = new ReportInfo(string.Empty, string.Empty);
        if (writeReport)
        {
            try
            {
                report = await CallAsync<ReportInfo>(nameof(WriteReportActivity), new ReportInput(_input.RunId, _input.Target, outcome, reason, _cloneRequests, _approvals, _pluginsMissing, _pluginsActivated, _checks, _timeline, verified));
            }
            catch (TaskFailedException ex)
            {
                reason += $" (The report could not be written: {ex.FailureDetails.ErrorMessage})";
            }

            await NotifyAsync(NotificationKind.FinalReport, _run is null ? [] : [.. Run.Developers, .. Run.ApproversFor("clone")], reason, [new("Outcome", outcome.ToString()), new("Verified", verified ? "yes" : "no")]);
        }

        return new CloneRunResult(_input.RunId, outcome, verified, reason, report.Json, report.Html);
    }

    /// <summary>Stops the run with an outcome (thrown from deep inside a phase).</summary>
    private sealed class RunStopped(RunOutcome outcome, string message) : Exception(message)
    {
        public RunOutcome Outcome { get; } = outcome;
    }
}
