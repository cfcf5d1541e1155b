using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;

namespace CloneFlow.Core.Activities;

/// <summary>Reads the target's configuration into the run (fails closed on an unknown or protected target).</summary>
public sealed class LoadRunContextActivity(RunServices services) : CloneFlowActivity<RunRef, RunContext>
{
    /// <inheritdoc />
    public override Task<RunContext> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var target = services.Target(input.Target);
        var instance = services.Configuration.Instances[target.Instance];
        if (instance.Protected)
        {
            throw new InvalidOperationException($"Target '{input.Target}' points at protected instance '{target.Instance}'; CloneFlow never clones over it.");
        }

        return Task.FromResult(new RunContext(
            input.Target,
            target.Source,
            target.Instance,
            target.Cloning.Driver,
            services.Configuration.Policies,
            target.Approvers,
            target.Developers));
    }
}
