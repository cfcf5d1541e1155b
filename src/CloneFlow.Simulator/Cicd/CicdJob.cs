namespace CloneFlow.Simulator.Cicd;

/// <summary>What a CI/CD job does.</summary>
internal enum CicdJobKind
{
    Preview,
    Commit,
    CommitMultiple,
    BackOut,
    PluginActivate,
    PluginRollback,
}

/// <summary>One asynchronous CI/CD call, polled through <c>/api/sn_cicd/progress/{id}</c>.</summary>
internal sealed class CicdJob
{
    public static readonly string[] Labels = ["Pending", "Running", "Successful", "Failed", "Canceled"];

    public required string Id { get; init; }

    public required CicdJobKind Kind { get; init; }

    /// <summary>The remote set id(s), local set id or plugin id the job works on.</summary>
    public required string Target { get; init; }

    public bool Force { get; init; }

    public required DateTimeOffset QueuedAt { get; init; }

    public required TimeSpan Duration { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public int Status { get; set; }

    public string StatusMessage { get; set; } = string.Empty;

    public string StatusDetail { get; set; } = string.Empty;

    public string Error { get; set; } = string.Empty;

    /// <summary>Table and sys_id of the record the job produced (links.results).</summary>
    public (string Table, string SysId)? Results { get; set; }

    public int PercentComplete(DateTimeOffset now) => Status switch
    {
        0 => 0,
        1 when StartedAt is { } started => (int)Math.Clamp((now - started) / Duration * 100, 0, 99),
        _ => 100,
    };
}
