using CloneFlow.Core.Approvals;
using CloneFlow.Core.ServiceNow.Clones;

namespace CloneFlow.Core.Runtime;

/// <summary>
/// Checks against the instances what a person entered at a gate, before the decision is recorded, so a
/// wrong answer is refused on the page with the reason: a clone request number must exist on the
/// run's source and clone that source over the run's target.
/// </summary>
public sealed class GateInputChecks(RunServices services)
{
    /// <summary>Why the values cannot be accepted, or null when they can.</summary>
    public async Task<string?> CheckAsync(string target, string gate, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (gate != GateForms.CloneNumberGate || !values.TryGetValue(GateForms.Number, out var number))
        {
            return null;
        }

        var settings = services.Target(target);
        var source = services.Configuration.Instances[settings.Source];
        var instance = services.Configuration.Instances[settings.Instance];
        var driver = await services.CloneDriverAsync(target, cancellationToken);
        var request = await driver.GetStatusAsync(number, cancellationToken);
        if (request is null)
        {
            return $"There is no clone request {number} on {settings.Source}. Enter the number the Clone Admin Console shows for the request you made.";
        }

        if (!SameInstance(request.Source, source.EffectiveCloneName) || !SameInstance(request.Target, instance.EffectiveCloneName))
        {
            return $"Clone request {number} clones {request.Source} over {request.Target}; this run needs a clone of {source.EffectiveCloneName} over {instance.EffectiveCloneName}.";
        }

        return request.State is CloneState.Canceled or CloneState.RolledBack
            ? $"Clone request {number} is {request.RawState}; request a new clone and enter its number."
            : null;
    }

    private static bool SameInstance(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
}
