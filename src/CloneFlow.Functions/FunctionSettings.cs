namespace CloneFlow.Functions;

/// <summary>The app settings the Functions host reads (the Bicep templates set them; local.settings.sample.json lists them).</summary>
public sealed class FunctionSettings(Func<string, string?> read)
{
    /// <summary><c>CLONEFLOW_CONFIG</c>: the configuration file (default <c>cloneflow.json</c> beside the app).</summary>
    public string ConfigurationPath => Value("CLONEFLOW_CONFIG") ?? Path.Combine(AppContext.BaseDirectory, "cloneflow.json");

    /// <summary><c>CLONEFLOW_KEYVAULT_URI</c>: secrets come from this vault; from the environment when unset.</summary>
    public Uri? KeyVaultUri => Value("CLONEFLOW_KEYVAULT_URI") is { } uri ? new Uri(uri) : null;

    /// <summary><c>AZURE_CLIENT_ID</c>: the user-assigned identity the app runs as.</summary>
    public string? ClientId => Value("AZURE_CLIENT_ID");

    /// <summary><c>CLONEFLOW_ARTIFACTS_BLOB_URI</c>: the blob endpoint, reached with the identity.</summary>
    public Uri? ArtifactsBlobUri => Value("CLONEFLOW_ARTIFACTS_BLOB_URI") is { } uri ? new Uri(uri) : null;

    /// <summary><c>CLONEFLOW_ARTIFACTS_CONTAINER</c>: the run artifacts container.</summary>
    public string ArtifactsContainer => Value("CLONEFLOW_ARTIFACTS_CONTAINER") ?? "cloneflow-runs";

    /// <summary><c>AzureWebJobsStorage</c>: the connection string used locally (Azurite) when no blob URI is set.</summary>
    public string StorageConnectionString => Value("AzureWebJobsStorage") ?? "UseDevelopmentStorage=true";

    /// <summary><c>CLONEFLOW_APPROVAL_BASE_URL</c>: where approval pages are served (links point here, never at management URLs).</summary>
    public Uri ApprovalBaseUrl => new(Value("CLONEFLOW_APPROVAL_BASE_URL") ?? "http://localhost:7071/");

    /// <summary><c>CLONEFLOW_APPROVAL_KEY_SECRET</c>: the secret holding the approval signing key.</summary>
    public string ApprovalKeySecretName => Value("CLONEFLOW_APPROVAL_KEY_SECRET") ?? "cloneflow-approval-key";

    /// <summary><c>CLONEFLOW_TEAMS_WEBHOOK_SECRET_NAME</c>: the secret holding the Teams Workflows webhook URL; no Teams when unset.</summary>
    public string? TeamsWebhookSecretName => Value("CLONEFLOW_TEAMS_WEBHOOK_SECRET_NAME");

    /// <summary><c>CLONEFLOW_MAIL_SENDER</c>: the mailbox approval e-mail comes from; no e-mail when unset.</summary>
    public string? MailSender => Value("CLONEFLOW_MAIL_SENDER");

    /// <summary><c>CLONEFLOW_REQUIRE_SIGNED_IN</c>: behind Easy Auth, starting and canceling runs needs a signed-in principal.</summary>
    public bool RequireSignedIn => string.Equals(Value("CLONEFLOW_REQUIRE_SIGNED_IN"), "true", StringComparison.OrdinalIgnoreCase);

    private string? Value(string name) => read(name) is { Length: > 0 } value ? value : null;
}
