using CloneFlow.Core.Runs;
using Microsoft.DurableTask;

namespace CloneFlow.Core.Workflow;

/// <summary>
/// The clone runbook as one durable orchestration (see <c>clone-runbook.md</c>): preflight, plan,
/// freeze notice, approval, export and verify, clone, watch, restore, verify, report. Everything the
/// runbook does happens in activities; this class only decides what comes next, deterministically.
/// </summary>
public sealed class CloneOrchestration : TaskOrchestrator<CloneRunInput, CloneRunResult>
{
    /// <inheritdoc />
    public override Task<CloneRunResult> RunAsync(TaskOrchestrationContext context, CloneRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        return new CloneRun(context, input).RunAsync();
    }
}
