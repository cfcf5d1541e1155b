using CloneFlow.Core.Configuration;

namespace CloneFlow.Core.Runs;

/// <summary>
/// The configuration a run needs in its orchestration, read once by an activity (so replays see the
/// same values even if the file changes meanwhile). Names and policies only: no URLs, no secrets.
/// </summary>
/// <param name="Target">The configured target.</param>
/// <param name="Source">The source instance's configured name.</param>
/// <param name="TargetInstance">The target instance's configured name.</param>
/// <param name="Driver">The clone driver (<c>table</c>, <c>manual</c>).</param>
/// <param name="Policies">The policies in force.</param>
/// <param name="Approvers">Approvers per gate (<c>default</c> for the rest).</param>
/// <param name="Developers">Who gets the freeze notice and the report.</param>
public sealed record RunContext(
    string Target,
    string Source,
    string TargetInstance,
    string Driver,
    PolicyConfiguration Policies,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Approvers,
    IReadOnlyList<string> Developers)
{
    /// <summary>The approvers of a gate, falling back to <c>default</c>.</summary>
    public IReadOnlyList<string> ApproversFor(string gate) =>
        Approvers.TryGetValue(gate, out var people) && people.Count > 0
            ? people
            : Approvers.TryGetValue("default", out var fallback) ? fallback : [];
}
