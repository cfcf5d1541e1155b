using System.Text.RegularExpressions;

namespace CloneFlow.Core.Configuration;

/// <summary>Checks a configuration at start-up and lists every problem by its key.</summary>
public static partial class ConfigurationValidator
{
    private static readonly string[] AuthKinds = ["basic", "oauth-password", "oauth-client-credentials"];
    private static readonly string[] Drivers = ["table", "manual"];
    private static readonly string[] Gates = ["default", "clone", "plugins", "problems", "failure"];

    /// <summary>Every problem found; empty when the configuration is usable.</summary>
    public static IReadOnlyList<ConfigurationError> Validate(CloneFlowConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<ConfigurationError>();
        if (configuration.Instances.Count == 0)
        {
            errors.Add(new("instances", "no instance is declared; declare at least the source and one target instance"));
        }

        foreach (var (name, instance) in configuration.Instances)
        {
            ValidateInstance($"instances.{name}", name, instance, errors);
        }

        foreach (var (name, target) in configuration.Targets)
        {
            ValidateTarget($"targets.{name}", name, target, configuration, errors);
        }

        ValidatePolicies("policies", configuration.Policies, errors);
        ValidateHost("host", configuration.Host, errors);
        return errors;
    }

    /// <summary>Throws <see cref="ConfigurationException"/> listing every problem.</summary>
    public static CloneFlowConfiguration EnsureValid(CloneFlowConfiguration configuration)
    {
        var errors = Validate(configuration);
        return errors.Count == 0 ? configuration : throw new ConfigurationException(errors);
    }

    private static void ValidateInstance(string key, string name, InstanceConfiguration instance, List<ConfigurationError> errors)
    {
        if (!Name().IsMatch(name))
        {
            errors.Add(new(key, "an instance name uses lowercase letters, digits and '-'"));
        }

        if (instance.BaseUrl is not { IsAbsoluteUri: true } url)
        {
            errors.Add(new($"{key}.baseUrl", "the instance's base URL is missing or not absolute, e.g. https://acme.service-now.com"));
        }
        else if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            errors.Add(new($"{key}.baseUrl", $"'{url}' must use https (plain http is allowed only on loopback, for the simulator)"));
        }
        else if (url.AbsolutePath != "/" || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.UserInfo))
        {
            errors.Add(new($"{key}.baseUrl", $"'{url}' must be the instance root, without path, query or credentials"));
        }

        var auth = instance.Auth;
        if (!AuthKinds.Contains(auth.Kind))
        {
            errors.Add(new($"{key}.auth.kind", $"'{auth.Kind}' is not one of {string.Join(", ", AuthKinds)}"));
            return;
        }

        if (auth.Kind is "basic" or "oauth-password")
        {
            Require($"{key}.auth.userName", auth.UserName, "the user CloneFlow signs in as (e.g. clone_admin)", errors);
            Require($"{key}.auth.passwordSecret", auth.PasswordSecret, "the name of the secret holding the password", errors);
        }

        if (auth.Kind is "oauth-password" or "oauth-client-credentials")
        {
            Require($"{key}.auth.clientId", auth.ClientId, "the OAuth client id", errors);
            Require($"{key}.auth.clientSecretSecret", auth.ClientSecretSecret, "the name of the secret holding the OAuth client secret", errors);
        }
    }

    private static void ValidateTarget(string key, string name, TargetConfiguration target, CloneFlowConfiguration configuration, List<ConfigurationError> errors)
    {
        if (!Name().IsMatch(name))
        {
            errors.Add(new(key, "a target name uses lowercase letters, digits and '-'"));
        }

        var instance = configuration.Instances.GetValueOrDefault(target.Instance);
        if (instance is null)
        {
            errors.Add(new($"{key}.instance", $"'{target.Instance}' is not a declared instance"));
        }
        else if (instance.Protected)
        {
            errors.Add(new($"{key}.instance", $"'{target.Instance}' is protected (production) and can never be a clone target"));
        }

        if (!configuration.Instances.ContainsKey(target.Source))
        {
            errors.Add(new($"{key}.source", $"'{target.Source}' is not a declared instance"));
        }
        else if (target.Source == target.Instance)
        {
            errors.Add(new($"{key}.source", "the source and the target are the same instance"));
        }

        if (!Drivers.Contains(target.Cloning.Driver))
        {
            errors.Add(new($"{key}.cloning.driver", $"'{target.Cloning.Driver}' is not one of {string.Join(", ", Drivers)}"));
        }

        if (target.Approvers.Count == 0 || target.Approvers.Values.All(list => list.Count == 0))
        {
            errors.Add(new($"{key}.approvers", "no approver is configured; at least the 'default' gate needs one"));
        }

        foreach (var (gate, people) in target.Approvers)
        {
            if (!Gates.Contains(gate))
            {
                errors.Add(new($"{key}.approvers.{gate}", $"'{gate}' is not a gate ({string.Join(", ", Gates)})"));
            }

            foreach (var person in people.Where(p => !Email().IsMatch(p)))
            {
                errors.Add(new($"{key}.approvers.{gate}", $"'{person}' is not an e-mail address or UPN"));
            }
        }

        if (configuration.Policies.Quorum > 1)
        {
            foreach (var (gate, people) in target.Approvers.Where(a => a.Value.Count < configuration.Policies.Quorum))
            {
                errors.Add(new($"{key}.approvers.{gate}", $"{people.Count} approver(s) cannot reach the quorum of {configuration.Policies.Quorum}"));
            }
        }

        for (var i = 0; i < target.ExtraTables.Count; i++)
        {
            if (!TableName().IsMatch(target.ExtraTables[i].Table))
            {
                errors.Add(new($"{key}.extraTables[{i}].table", $"'{target.ExtraTables[i].Table}' is not a table name"));
            }
        }

        for (var i = 0; i < target.PostCloneChecks.Count; i++)
        {
            var check = target.PostCloneChecks[i];
            Require($"{key}.postCloneChecks[{i}].name", check.Name, "what people see", errors);
            Require($"{key}.postCloneChecks[{i}].property", check.Property, "the system property to read", errors);
        }

        if (target.Schedule is { } schedule)
        {
            if (schedule.Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5 || !Cronos.CronExpression.TryParse(schedule.Cron, out _))
            {
                errors.Add(new($"{key}.schedule.cron", $"'{schedule.Cron}' is not a five-field cron expression (minute hour day month weekday)"));
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZone, out _))
            {
                errors.Add(new($"{key}.schedule.timeZone", $"'{schedule.TimeZone}' is not a known time zone (use an IANA name such as Europe/Amsterdam)"));
            }
        }
    }

    private static void ValidatePolicies(string key, PolicyConfiguration policies, List<ConfigurationError> errors)
    {
        if (policies.EmptyUpdateSets is not ("ignore" or "ask"))
        {
            errors.Add(new($"{key}.emptyUpdateSets", $"'{policies.EmptyUpdateSets}' is not 'ignore' or 'ask'"));
        }

        if (policies.Quorum < 1)
        {
            errors.Add(new($"{key}.quorum", "at least one approval is needed"));
        }

        if (policies.PollInterval <= TimeSpan.Zero || policies.MaxPollInterval < policies.PollInterval)
        {
            errors.Add(new($"{key}.pollInterval", "the poll interval must be positive and not above maxPollInterval"));
        }

        if (policies.PollBackoff < 1.0)
        {
            errors.Add(new($"{key}.pollBackoff", "the backoff factor must be 1 or more"));
        }

        if (!(policies.ReminderAfter <= policies.EscalateAfter && policies.EscalateAfter <= policies.ApprovalTimeout && policies.ReminderAfter > TimeSpan.Zero))
        {
            errors.Add(new($"{key}.approvalTimeout", "reminderAfter <= escalateAfter <= approvalTimeout must hold, all positive"));
        }

        if (policies.CloneTimeout <= TimeSpan.Zero || policies.RestartTimeout <= TimeSpan.Zero || policies.SourceControlImportTimeout <= TimeSpan.Zero)
        {
            errors.Add(new($"{key}.cloneTimeout", "cloneTimeout, restartTimeout and sourceControlImportTimeout must be positive"));
        }
    }

    private static void ValidateHost(string key, LocalHostConfiguration host, List<ConfigurationError> errors)
    {
        if (!host.Listen.IsAbsoluteUri || host.Listen.Scheme != Uri.UriSchemeHttp || host.Listen.AbsolutePath != "/")
        {
            errors.Add(new($"{key}.listen", $"'{host.Listen}' is not an http://host:port/ address (put TLS in a reverse proxy and name it in publicUrl)"));
        }

        if (host.PublicUrl is { } publicUrl && (!publicUrl.IsAbsoluteUri || (publicUrl.Scheme != Uri.UriSchemeHttps && !publicUrl.IsLoopback)))
        {
            errors.Add(new($"{key}.publicUrl", $"'{publicUrl}' must be an https:// URL (approval links carry bearer tokens), or a loopback address"));
        }

        if (!TaskHub().IsMatch(host.TaskHub))
        {
            errors.Add(new($"{key}.taskHub", $"'{host.TaskHub}' is not 3-45 letters and digits starting with a letter"));
        }

        if (host.KeyVaultUri is { } vault && (!vault.IsAbsoluteUri || vault.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(new($"{key}.keyVaultUri", $"'{vault}' is not an https:// vault URI"));
        }

        Require($"{key}.approvalKeySecret", host.ApprovalKeySecret, "the name of the secret holding the approval signing key", errors);
        if (host.MailSender is { } sender && !Email().IsMatch(sender))
        {
            errors.Add(new($"{key}.mailSender", $"'{sender}' is not an e-mail address"));
        }
    }

    private static void Require(string key, string? value, string what, List<ConfigurationError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new(key, $"missing: {what}"));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[a-z0-9_]{1,80}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex TaskHub();

    [GeneratedRegex("^[^@\\s]+@[^@\\s]+$")]
    private static partial Regex Email();
}
