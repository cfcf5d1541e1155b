using Microsoft.DurableTask;

namespace CloneFlow.Core.Activities;

/// <summary>
/// An activity both hosts run: the Durable Task worker through <see cref="RunAsync"/>, Azure Functions'
/// activity triggers through <see cref="ExecuteAsync"/>. CloneFlow's activities need nothing from the
/// activity context, so the work lives in one place.
/// </summary>
public abstract class CloneFlowActivity<TInput, TOutput> : TaskActivity<TInput, TOutput>
{
    /// <summary>Does the activity's work.</summary>
    public abstract Task<TOutput> ExecuteAsync(TInput input);

    /// <inheritdoc />
    public sealed override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) => ExecuteAsync(input);
}
