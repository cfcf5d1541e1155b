namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>What to clone, from configuration only (never from free text in a request).</summary>
/// <param name="RunId">The CloneFlow run; the request record's sys_id derives from it, which makes requesting idempotent.</param>
/// <param name="SourceInstance">The source instance name as the clone table knows it.</param>
/// <param name="TargetInstance">The target instance name.</param>
/// <param name="Profile">The clone profile (its sys_id), or empty for all preservers, exclusions and cleanups.</param>
/// <param name="ScheduledStart">When the clone should start; null for as soon as possible.</param>
public sealed record CloneRequestSpec(string RunId, string SourceInstance, string TargetInstance, string Profile, DateTimeOffset? ScheduledStart = null);
