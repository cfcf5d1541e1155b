namespace CloneFlow.Core.Notifications;

/// <summary>Where Teams messages go: the name of the secret holding the Teams Workflows webhook URL (the URL itself is a secret).</summary>
public sealed record TeamsWorkflowOptions
{
    /// <summary>The secret name, e.g. <c>cloneflow-teams-webhook</c>.</summary>
    public required string WebhookSecretName { get; init; }

    /// <summary>Retries and timeouts.</summary>
    public NotificationRetryOptions Retry { get; init; } = new();
}
