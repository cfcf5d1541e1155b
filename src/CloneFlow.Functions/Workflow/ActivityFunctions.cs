using CloneFlow.Core.Activities;
using CloneFlow.Core.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace CloneFlow.Functions.Workflow;

/// <summary>
/// One activity trigger per Core activity, named as the orchestration calls it. No logic here: each
/// resolves the activity from DI and runs it.
/// </summary>
public sealed class ActivityFunctions(IServiceProvider services)
{
    [Function(nameof(AppSetsActivity))]
    public Task<IReadOnlyList<AppSetInfo>> AppSets([ActivityTrigger] RunRef input) => services.GetRequiredService<AppSetsActivity>().ExecuteAsync(input);

    [Function(nameof(AppsImportedActivity))]
    public Task<IReadOnlyList<string>> AppsImported([ActivityTrigger] RunRef input) => services.GetRequiredService<AppsImportedActivity>().ExecuteAsync(input);

    [Function(nameof(CancelCloneActivity))]
    public Task<CloneStatusInfo> CancelClone([ActivityTrigger] CloneRef input) => services.GetRequiredService<CancelCloneActivity>().ExecuteAsync(input);

    [Function(nameof(CiCdProgressActivity))]
    public Task<CiCdState> CiCdProgress([ActivityTrigger] CiCdPoll input) => services.GetRequiredService<CiCdProgressActivity>().ExecuteAsync(input);

    [Function(nameof(CloneStatusActivity))]
    public Task<CloneStatusInfo> CloneStatus([ActivityTrigger] CloneRef input) => services.GetRequiredService<CloneStatusActivity>().ExecuteAsync(input);

    [Function(nameof(CreateRestoreBatchActivity))]
    public Task<string> CreateRestoreBatch([ActivityTrigger] RunRef input) => services.GetRequiredService<CreateRestoreBatchActivity>().ExecuteAsync(input);

    [Function(nameof(ExportActivity))]
    public Task<ExportChunkResult> Export([ActivityTrigger] ExportChunk input) => services.GetRequiredService<ExportActivity>().ExecuteAsync(input);

    [Function(nameof(FindCloneRequestActivity))]
    public Task<OwnCloneRequestInfo> FindCloneRequest([ActivityTrigger] RunRef input) => services.GetRequiredService<FindCloneRequestActivity>().ExecuteAsync(input);

    [Function(nameof(LoadRunContextActivity))]
    public Task<RunContext> LoadRunContext([ActivityTrigger] RunRef input) => services.GetRequiredService<LoadRunContextActivity>().ExecuteAsync(input);

    [Function(nameof(NotifyActivity))]
    public Task<bool> Notify([ActivityTrigger] NotifyRequest input) => services.GetRequiredService<NotifyActivity>().ExecuteAsync(input);

    [Function(nameof(PlanActivity))]
    public Task<PlanSummary> Plan([ActivityTrigger] RunRef input) => services.GetRequiredService<PlanActivity>().ExecuteAsync(input);

    [Function(nameof(PluginDiffActivity))]
    public Task<IReadOnlyList<string>> PluginDiff([ActivityTrigger] RunRef input) => services.GetRequiredService<PluginDiffActivity>().ExecuteAsync(input);

    [Function(nameof(PostCloneChecksActivity))]
    public Task<IReadOnlyList<CheckResult>> PostCloneChecks([ActivityTrigger] RunRef input) => services.GetRequiredService<PostCloneChecksActivity>().ExecuteAsync(input);

    [Function(nameof(PreflightActivity))]
    public Task<PreflightResult> Preflight([ActivityTrigger] RunRef input) => services.GetRequiredService<PreflightActivity>().ExecuteAsync(input);

    [Function(nameof(PreviewProblemsActivity))]
    public Task<ProblemsInfo> PreviewProblems([ActivityTrigger] ProblemsQuery input) => services.GetRequiredService<PreviewProblemsActivity>().ExecuteAsync(input);

    [Function(nameof(PreviewedRemoteSetsActivity))]
    public Task<IReadOnlyList<string>> PreviewedRemoteSets([ActivityTrigger] RunRef input) => services.GetRequiredService<PreviewedRemoteSetsActivity>().ExecuteAsync(input);

    [Function(nameof(ProbeTargetActivity))]
    public Task<bool> ProbeTarget([ActivityTrigger] RunRef input) => services.GetRequiredService<ProbeTargetActivity>().ExecuteAsync(input);

    [Function(nameof(PromptApproversActivity))]
    public Task<PromptOutcome> PromptApprovers([ActivityTrigger] ApprovalPrompt input) => services.GetRequiredService<PromptApproversActivity>().ExecuteAsync(input);

    [Function(nameof(RecordCloneRequestActivity))]
    public Task<bool> RecordCloneRequest([ActivityTrigger] CloneRef input) => services.GetRequiredService<RecordCloneRequestActivity>().ExecuteAsync(input);

    [Function(nameof(RequestCloneActivity))]
    public Task<CloneRequestInfo> RequestClone([ActivityTrigger] RunRef input) => services.GetRequiredService<RequestCloneActivity>().ExecuteAsync(input);

    [Function(nameof(ResolveProblemsActivity))]
    public Task<int> ResolveProblems([ActivityTrigger] ProblemResolution input) => services.GetRequiredService<ResolveProblemsActivity>().ExecuteAsync(input);

    [Function(nameof(RestoreActivity))]
    public Task<RestoreChunkResult> Restore([ActivityTrigger] ExportChunk input) => services.GetRequiredService<RestoreActivity>().ExecuteAsync(input);

    [Function(nameof(RestoreStatesActivity))]
    public Task<StatesResult> RestoreStates([ActivityTrigger] RunRef input) => services.GetRequiredService<RestoreStatesActivity>().ExecuteAsync(input);

    [Function(nameof(StartCiCdActivity))]
    public Task<CiCdState> StartCiCd([ActivityTrigger] CiCdStart input) => services.GetRequiredService<StartCiCdActivity>().ExecuteAsync(input);

    [Function(nameof(VerifyRestoreActivity))]
    public Task<VerificationSummary> VerifyRestore([ActivityTrigger] RunRef input) => services.GetRequiredService<VerifyRestoreActivity>().ExecuteAsync(input);

    [Function(nameof(WriteManifestActivity))]
    public Task<int> WriteManifest([ActivityTrigger] RunRef input) => services.GetRequiredService<WriteManifestActivity>().ExecuteAsync(input);

    [Function(nameof(WriteReportActivity))]
    public Task<ReportInfo> WriteReport([ActivityTrigger] ReportInput input) => services.GetRequiredService<WriteReportActivity>().ExecuteAsync(input);
}
