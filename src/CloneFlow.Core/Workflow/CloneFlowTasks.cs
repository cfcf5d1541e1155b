using CloneFlow.Core.Activities;
using Microsoft.DurableTask;

namespace CloneFlow.Core.Workflow;

/// <summary>Registers the orchestration and every activity with a Durable Task worker (both hosts call this).</summary>
public static class CloneFlowTasks
{
    /// <summary>Adds the clone orchestration and its activities to <paramref name="registry"/>.</summary>
    public static DurableTaskRegistry AddCloneFlowTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<CloneOrchestration>()
            .AddActivity<LoadRunContextActivity>()
            .AddActivity<PreflightActivity>()
            .AddActivity<PlanActivity>()
            .AddActivity<ExportActivity>()
            .AddActivity<WriteManifestActivity>()
            .AddActivity<FindCloneRequestActivity>()
            .AddActivity<RecordCloneRequestActivity>()
            .AddActivity<RequestCloneActivity>()
            .AddActivity<CloneStatusActivity>()
            .AddActivity<CancelCloneActivity>()
            .AddActivity<ProbeTargetActivity>()
            .AddActivity<PluginDiffActivity>()
            .AddActivity<PreviewedRemoteSetsActivity>()
            .AddActivity<StartCiCdActivity>()
            .AddActivity<CiCdProgressActivity>()
            .AddActivity<CreateRestoreBatchActivity>()
            .AddActivity<AppSetsActivity>()
            .AddActivity<AppsImportedActivity>()
            .AddActivity<RestoreActivity>()
            .AddActivity<PreviewProblemsActivity>()
            .AddActivity<ResolveProblemsActivity>()
            .AddActivity<RestoreStatesActivity>()
            .AddActivity<PostCloneChecksActivity>()
            .AddActivity<VerifyRestoreActivity>()
            .AddActivity<WriteReportActivity>()
            .AddActivity<NotifyActivity>()
            .AddActivity<PromptApproversActivity>();
    }
}
