using CloneFlow.Core.Runs;
using CloneFlow.Core.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CloneFlow.Functions.Workflow;

/// <summary>The orchestration trigger: runs Core's <see cref="CloneOrchestration"/> as is.</summary>
public static class CloneOrchestrationFunction
{
    [Function(nameof(CloneOrchestration))]
    public static Task<CloneRunResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<CloneRunInput>() ?? throw new InvalidOperationException("A clone run needs its input.");
        return new CloneOrchestration().RunAsync(context, input);
    }
}
