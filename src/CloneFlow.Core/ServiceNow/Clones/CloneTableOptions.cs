namespace CloneFlow.Core.ServiceNow.Clones;

/// <summary>
/// Where an instance keeps clone requests and what the fields are called. Whether the Table API may
/// write these records is unconfirmed by ServiceNow's documentation, so every name is configurable;
/// the defaults are the Clone Admin Console's table as CloneFlow's simulator models it.
/// </summary>
public sealed record CloneTableOptions
{
    /// <summary>The clone request table (legacy instances: <c>clone_instance</c>).</summary>
    public string Table { get; init; } = "sn_instance_clone_request";

    /// <summary>The request number field.</summary>
    public string NumberField { get; init; } = "number";

    /// <summary>The source instance field.</summary>
    public string SourceField { get; init; } = "source_instance";

    /// <summary>The target instance field.</summary>
    public string TargetField { get; init; } = "target_instance";

    /// <summary>The clone profile field.</summary>
    public string ProfileField { get; init; } = "profile";

    /// <summary>The state field.</summary>
    public string StateField { get; init; } = "state";

    /// <summary>The phase field.</summary>
    public string PhaseField { get; init; } = "phase";

    /// <summary>The progress field (0-100), empty if the table has none.</summary>
    public string PercentField { get; init; } = "percent_complete";

    /// <summary>The status message field, empty if the table has none.</summary>
    public string MessageField { get; init; } = "state_message";

    /// <summary>The scheduled start field.</summary>
    public string ScheduledStartField { get; init; } = "scheduled_start";

    /// <summary>The field set to <see cref="CancelValue"/> to cancel.</summary>
    public string CancelField { get; init; } = "cancel_requested";

    /// <summary>The value that asks for cancellation.</summary>
    public string CancelValue { get; init; } = "true";

    /// <summary>The clone phases in order; a cancel is possible only before <see cref="NodeRepointPhase"/>.</summary>
    public IReadOnlyList<string> Phases { get; init; } =
    [
        "build configuration", "preflight checks", "backup", "pre-clone", "provision", "restore", "exclusions",
        "preservers", "node repoint", "schedule scripts", "post-clone cleanup",
    ];

    /// <summary>The phase after which the target is overwritten and cancel is impossible.</summary>
    public string NodeRepointPhase { get; init; } = "node repoint";

    /// <summary>Throws when a name cannot be a ServiceNow table or field.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(Table), Table), (nameof(NumberField), NumberField), (nameof(SourceField), SourceField),
            (nameof(TargetField), TargetField), (nameof(ProfileField), ProfileField), (nameof(StateField), StateField),
            (nameof(PhaseField), PhaseField), (nameof(CancelField), CancelField), (nameof(ScheduledStartField), ScheduledStartField),
        })
        {
            if (string.IsNullOrWhiteSpace(value) || !value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                throw new ArgumentException($"Clone table option {name} must be a ServiceNow name (lowercase letters, digits, _), not '{value}'.", name);
            }
        }
    }
}
