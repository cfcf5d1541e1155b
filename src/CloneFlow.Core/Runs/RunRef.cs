namespace CloneFlow.Core.Runs;

/// <summary>The smallest activity input: the run and its target.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The configured target name.</param>
public sealed record RunRef(string RunId, string Target);
