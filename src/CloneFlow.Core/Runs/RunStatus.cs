namespace CloneFlow.Core.Runs;

/// <summary>
/// The run's custom status (well under the 16 KB limit): the phase, progress counts, pending
/// approvals and the clone request. Never secrets, never lists that grow with the estate.
/// </summary>
public sealed record RunStatus
{
    /// <summary>The status an orchestration's serialized custom status holds, or null when it has none yet.</summary>
    public static RunStatus? Parse(string? serializedCustomStatus) =>
        serializedCustomStatus is { Length: > 0 } json ? System.Text.Json.JsonSerializer.Deserialize<RunStatus>(json, System.Text.Json.JsonSerializerOptions.Web) : null;

    /// <summary>The runbook phase, e.g. <c>export</c>.</summary>
    public string Phase { get; init; } = "starting";

    /// <summary>One line for people.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>Items done in the phase.</summary>
    public int Done { get; init; }

    /// <summary>Items in the phase.</summary>
    public int Total { get; init; }

    /// <summary>Approvals being waited for (at most a handful).</summary>
    public IReadOnlyList<WaitingGate> PendingApprovals { get; init; } = [];

    /// <summary>The clone request number once known.</summary>
    public string? CloneRequest { get; init; }

    /// <summary>The clone's state and phase while it runs.</summary>
    public string? CloneState { get; init; }

    /// <summary>The clone's progress, 0-100.</summary>
    public int? ClonePercent { get; init; }

    /// <summary>Notifications that could not be delivered (the run goes on).</summary>
    public int NotificationFailures { get; init; }
}

/// <summary>A gate waiting for people.</summary>
/// <param name="Gate">The gate (<c>clone</c>, <c>plugins</c>, <c>problems</c>, <c>failure</c>, <c>clone-number</c>).</param>
/// <param name="Round">The round; each round has its own event name.</param>
/// <param name="Approvers">Who may decide.</param>
/// <param name="Since">When the wait began.</param>
/// <param name="Question">What is being asked.</param>
/// <param name="Actions">The values this round offers for the gate's <c>action</c> input (null: all its form lists).</param>
public sealed record WaitingGate(string Gate, int Round, IReadOnlyList<string> Approvers, DateTimeOffset Since, string Question, IReadOnlyList<string>? Actions = null)
{
    /// <summary>When the round expires unanswered.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>The channels that delivered its links; empty when none did (null until the prompt went out).</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Who, since and until when, and where the link went: one line for people.</summary>
    public string Describe() =>
        $"by {string.Join(", ", Approvers)}, since {Since:yyyy-MM-dd HH:mm} UTC{(Until is { } until ? $", until {until:yyyy-MM-dd HH:mm} UTC" : string.Empty)}, "
        + (Channels switch
        {
            null => "link being sent",
            { Count: 0 } => "no channel delivered the link (see the host's log)",
            var channels when channels.All(c => c == "log") => "link only in the host's log: configure teams, e-mail or printApprovalLinks",
            var channels => $"link sent by {string.Join(", ", channels.Where(c => c != "log"))}",
        });

    /// <summary>The external event name for this gate and round.</summary>
    public string EventName => GateEvents.Name(Gate, Round);
}

/// <summary>External event names: a fresh name per gate and round, so a cancelled wait cannot swallow a later decision.</summary>
public static class GateEvents
{
    /// <summary><c>approval:{gate}:{round}</c>.</summary>
    public static string Name(string gate, int round) => $"approval:{gate}:{round}";
}
