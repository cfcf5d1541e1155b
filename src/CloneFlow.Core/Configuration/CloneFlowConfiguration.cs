namespace CloneFlow.Core.Configuration;

/// <summary>
/// Everything CloneFlow is allowed to touch: the instances (by name), the targets it may clone over,
/// and the policies. Instance URLs and targets come only from here, never from a request; secrets are
/// referenced by name and resolved by an <c>ISecretProvider</c> inside activities.
/// </summary>
public sealed record CloneFlowConfiguration
{
    /// <summary>ServiceNow instances by name.</summary>
    public IReadOnlyDictionary<string, InstanceConfiguration> Instances { get; init; } = new Dictionary<string, InstanceConfiguration>();

    /// <summary>Clone targets by name (usually the target instance's name).</summary>
    public IReadOnlyDictionary<string, TargetConfiguration> Targets { get; init; } = new Dictionary<string, TargetConfiguration>();

    /// <summary>How runs behave.</summary>
    public PolicyConfiguration Policies { get; init; } = new();

    /// <summary>The local host's settings (<c>cloneflow serve</c>); the Functions app reads app settings instead.</summary>
    public LocalHostConfiguration Host { get; init; } = new();
}

/// <summary>
/// Where <c>cloneflow serve</c> listens and keeps its state, and where it finds its secrets. Every
/// secret is named here and read from the secret provider (environment or Key Vault), never inline.
/// </summary>
public sealed record LocalHostConfiguration
{
    /// <summary>Where the HTTP API and approval pages listen; loopback unless deliberately changed.</summary>
    public Uri Listen { get; init; } = new("http://127.0.0.1:7071/");

    /// <summary>The base URL approval links point at (e.g. a reverse proxy in front of the host); <see cref="Listen"/> when null.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The secret holding the storage connection string for the durable state and the artifacts; Azurite when null.</summary>
    public string? StorageConnectionSecret { get; init; }

    /// <summary>The task hub: queues, tables and leases of this host's runs (3-45 letters and digits, starting with a letter).</summary>
    public string TaskHub { get; init; } = "cloneflow";

    /// <summary>Secrets come from this Key Vault (signed in with Azure.Identity's default credential); from <c>CLONEFLOW_SECRET_*</c> environment variables when null.</summary>
    public Uri? KeyVaultUri { get; init; }

    /// <summary>The secret holding the approval signing key (base64 of at least 32 random bytes).</summary>
    public string ApprovalKeySecret { get; init; } = "cloneflow-approval-key";

    /// <summary>The secret holding a Teams Workflows webhook URL; no Teams messages when null.</summary>
    public string? TeamsWebhookSecret { get; init; }

    /// <summary>The mailbox approval e-mail is sent from through Microsoft Graph; no e-mail when null.</summary>
    public string? MailSender { get; init; }

    /// <summary>Print each approval link as <c>APPROVAL &lt;gate&gt; &lt;url&gt;</c> on the console (a host run by the approver themselves).</summary>
    public bool PrintApprovalLinks { get; init; }
}

/// <summary>One ServiceNow instance.</summary>
public sealed record InstanceConfiguration
{
    /// <summary>The base URL, e.g. <c>https://acme.service-now.com</c>.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>Production and anything else that must never be overwritten by a clone.</summary>
    public bool Protected { get; init; }

    /// <summary>The instance's name as the clone request table knows it (defaults to the host's first label).</summary>
    public string? CloneName { get; init; }

    /// <summary>How CloneFlow signs in.</summary>
    public AuthConfiguration Auth { get; init; } = new();

    /// <summary>The name the clone table knows this instance by.</summary>
    public string EffectiveCloneName => CloneName ?? BaseUrl?.Host.Split('.')[0] ?? string.Empty;
}

/// <summary>Sign-in settings; secrets by name only.</summary>
public sealed record AuthConfiguration
{
    /// <summary><c>basic</c>, <c>oauth-password</c> or <c>oauth-client-credentials</c>.</summary>
    public string Kind { get; init; } = "basic";

    /// <summary>The user for basic and the OAuth password grant.</summary>
    public string? UserName { get; init; }

    /// <summary>The secret holding the user's password.</summary>
    public string? PasswordSecret { get; init; }

    /// <summary>The OAuth client id (not a secret).</summary>
    public string? ClientId { get; init; }

    /// <summary>The secret holding the OAuth client secret.</summary>
    public string? ClientSecretSecret { get; init; }
}

/// <summary>A target CloneFlow may clone over, with everything its runbook needs.</summary>
public sealed record TargetConfiguration
{
    /// <summary>The instance that gets overwritten.</summary>
    public string Instance { get; init; } = string.Empty;

    /// <summary>The instance cloned from (usually production).</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>How the clone is requested.</summary>
    public CloneDriverConfiguration Cloning { get; init; } = new();

    /// <summary>Approvers per gate (<c>clone</c>, <c>plugins</c>, <c>problems</c>, <c>failure</c>); <c>default</c> applies to gates not listed.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Approvers { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>People who get the freeze notice and the final report.</summary>
    public IReadOnlyList<string> Developers { get; init; } = [];

    /// <summary>Extra tables whose rows are exported before and re-inserted after the clone.</summary>
    public IReadOnlyList<ExtraTableConfiguration> ExtraTables { get; init; } = [];

    /// <summary>Checks run on the target after the clone.</summary>
    public IReadOnlyList<PostCloneCheckConfiguration> PostCloneChecks { get; init; } = [];

    /// <summary>The refresh schedule, if the target is refreshed on a timer.</summary>
    public ScheduleConfiguration? Schedule { get; init; }
}

/// <summary>Which clone driver and profile a target uses.</summary>
public sealed record CloneDriverConfiguration
{
    /// <summary><c>table</c> or <c>manual</c>.</summary>
    public string Driver { get; init; } = "table";

    /// <summary>The clone profile's sys_id on the source; empty for all preservers, exclusions and cleanups.</summary>
    public string Profile { get; init; } = string.Empty;
}

/// <summary>An extra table carried across the clone.</summary>
public sealed record ExtraTableConfiguration
{
    /// <summary>The table.</summary>
    public string Table { get; init; } = string.Empty;

    /// <summary>An encoded query selecting the rows (empty: all rows).</summary>
    public string Query { get; init; } = string.Empty;
}

/// <summary>A post-clone check: a property must have a value (more kinds can be added).</summary>
public sealed record PostCloneCheckConfiguration
{
    /// <summary>What people see.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The system property to read.</summary>
    public string Property { get; init; } = string.Empty;

    /// <summary>The value it must have.</summary>
    public string Expected { get; init; } = string.Empty;
}

/// <summary>A cron schedule in a time zone.</summary>
public sealed record ScheduleConfiguration
{
    /// <summary>Five-field cron (minute hour day month weekday).</summary>
    public string Cron { get; init; } = string.Empty;

    /// <summary>IANA time zone, e.g. <c>Europe/Amsterdam</c>.</summary>
    public string TimeZone { get; init; } = "UTC";
}

/// <summary>How runs behave.</summary>
public sealed record PolicyConfiguration
{
    /// <summary><c>ignore</c>: empty update sets are set to ignore automatically; <c>ask</c>: listed in the plan for approval.</summary>
    public string EmptyUpdateSets { get; init; } = "ask";

    /// <summary>Commit previews without problems without asking.</summary>
    public bool AutoCommitCleanPreviews { get; init; } = true;

    /// <summary>Activating missing plugins needs an approval.</summary>
    public bool PluginActivationNeedsApproval { get; init; } = true;

    /// <summary>A dry run (it only reads the instances and writes exports) also sends the freeze notice and waits for the clone approval.</summary>
    public bool DryRunsNeedApproval { get; init; }

    /// <summary>The requester may approve their own run.</summary>
    public bool RequesterMayApprove { get; init; }

    /// <summary>Behind Easy Auth: a decision needs a signed-in principal, and it must be the link's approver (a mismatch is always refused).</summary>
    public bool RequireSignedInApprover { get; init; }

    /// <summary>Distinct approvals needed per gate.</summary>
    public int Quorum { get; init; } = 1;

    /// <summary>When an unanswered approval gets a reminder.</summary>
    public TimeSpan ReminderAfter { get; init; } = TimeSpan.FromHours(4);

    /// <summary>When an unanswered approval is escalated.</summary>
    public TimeSpan EscalateAfter { get; init; } = TimeSpan.FromHours(8);

    /// <summary>When an unanswered approval expires (and the gate counts as rejected).</summary>
    public TimeSpan ApprovalTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Who approvals escalate to.</summary>
    public IReadOnlyList<string> EscalationApprovers { get; init; } = [];

    /// <summary>First interval between clone polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Growth of the poll interval while nothing changes.</summary>
    public double PollBackoff { get; init; } = 1.0;

    /// <summary>Longest interval between polls.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Interval between polls of CI/CD jobs (previews, commits, plugin activations).</summary>
    public TimeSpan JobPollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a clone may take before a person decides what to do.</summary>
    public TimeSpan CloneTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long to wait for the target to answer again after the clone.</summary>
    public TimeSpan RestartTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How long to wait, once the target answers, for ServiceNow's post-clone import of apps linked to source
    /// control; an app not back by then is restored from its update-set export instead.
    /// </summary>
    public TimeSpan SourceControlImportTimeout { get; init; } = TimeSpan.FromHours(1);
}
