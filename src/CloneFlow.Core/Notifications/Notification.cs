namespace CloneFlow.Core.Notifications;

/// <summary>
/// One message about a run, independent of channel. It carries only what people may read: ids,
/// instance names, counts, links to CloneFlow's own pages. Never secrets, and never the Durable
/// Functions management URLs (they carry a system key).
/// </summary>
public sealed record Notification
{
    /// <summary>What happened.</summary>
    public required NotificationKind Kind { get; init; }

    /// <summary>The run's instance id.</summary>
    public required string RunId { get; init; }

    /// <summary>The instance cloned from (usually production).</summary>
    public required string Source { get; init; }

    /// <summary>The instance cloned over.</summary>
    public required string Target { get; init; }

    /// <summary>The approval gate, for approval messages.</summary>
    public string? Gate { get; init; }

    /// <summary>The gate's round, for approval messages.</summary>
    public int? Round { get; init; }

    /// <summary>A sentence or two for people; the template's default is used when empty.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Name/value facts such as the clone request number or counts, shown in order.</summary>
    public IReadOnlyList<NotificationFact> Facts { get; init; } = [];

    /// <summary>Links for everyone who sees the message (the run's status page, the report).</summary>
    public IReadOnlyList<NotificationLink> Links { get; init; } = [];
}

/// <summary>A name and value shown as a fact (an Adaptive Card FactSet row, an e-mail table row).</summary>
/// <param name="Name">The label.</param>
/// <param name="Value">The value, shown as text.</param>
public sealed record NotificationFact(string Name, string Value);
