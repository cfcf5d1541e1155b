using System.Net;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Clones;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Activities;

/// <summary>What preflight found: problems stop the run before anything happens; warnings go into the plan.</summary>
/// <param name="Problems">Blocking problems, each naming what to fix.</param>
/// <param name="Warnings">Things people should know.</param>
public sealed record PreflightResult(IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings)
{
    /// <summary>True when nothing blocks the run.</summary>
    public bool Passed => Problems.Count == 0;
}

/// <summary>
/// Proves the accounts can sign in and have what the run needs: the update-set tables and the CI/CD
/// plugin on the target, the clone table on the source, the target allowing clones. Names what is missing.
/// </summary>
public sealed class PreflightActivity(RunServices services) : CloneFlowActivity<RunRef, PreflightResult>
{
    private const string CiCdPlugin = "com.glide.continuousdelivery";

    /// <inheritdoc />
    public override async Task<PreflightResult> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var target = services.Target(input.Target);
        var problems = new List<string>();
        var warnings = new List<string>();
        var cancellationToken = CancellationToken.None;

        var targetClient = await services.Clients.GetAsync(target.Instance, cancellationToken);
        var sourceClient = await services.Clients.GetAsync(target.Source, cancellationToken);
        await CheckAsync($"sign in to {target.Instance} and read update sets (role admin)", () => targetClient.CountAsync("sys_update_set", cancellationToken: cancellationToken), problems);
        await CheckAsync($"sign in to {target.Source} and read update sets (role admin)", () => sourceClient.CountAsync("sys_update_set", cancellationToken: cancellationToken), problems);
        if (target.Cloning.Driver == "table")
        {
            await CheckAsync($"read clone requests on {target.Source} (role clone_admin)", () => sourceClient.CountAsync(new CloneTableOptions().Table, cancellationToken: cancellationToken), problems);
        }

        if (problems.Count > 0)
        {
            return new PreflightResult(problems, warnings);
        }

        var cicd = await FirstAsync(targetClient, "sys_plugins", TableQuery.Where("source", CiCdPlugin), cancellationToken);
        if (cicd is null || !string.Equals(cicd.Get("active"), "active", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"the CI/CD plugin ({CiCdPlugin}) is not active on {target.Instance}: activate it, CloneFlow previews and commits through it");
        }

        var allowClone = await FirstAsync(targetClient, "sys_properties", TableQuery.Where("name", "glide.db.clone.allow_clone_target"), cancellationToken);
        if (allowClone is not null && !string.Equals(allowClone.Get("value"), "true", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{target.Instance} does not allow being a clone target (glide.db.clone.allow_clone_target is '{allowClone.Get("value")}')");
        }

        // What the clone request will name: a wrong name or profile is refused by the source only at the request, after the approval.
        foreach (var (name, client) in new[] { (target.Instance, targetClient), (target.Source, sourceClient) })
        {
            var cloneName = services.Configuration.Instances[name].EffectiveCloneName;
            var own = await FirstAsync(client, "sys_properties", TableQuery.Where("name", "instance_name"), cancellationToken);
            if (own?.Get("value") is { Length: > 0 } actual && !string.Equals(actual, cloneName, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"the clone request would name {name} '{cloneName}', but the instance calls itself '{actual}' (instance_name): set instances.{name}.cloneName to the name the Clone Admin Console lists");
            }
        }

        if (target.Cloning.Profile is { Length: > 0 } profile && await sourceClient.GetRecordAsync("clone_profile", profile, cancellationToken: cancellationToken) is null)
        {
            problems.Add($"the clone profile {profile} (targets.{input.Target}.cloning.profile) does not exist on {target.Source}");
        }

        var driver = await services.CloneDriverAsync(input.Target, cancellationToken);
        if (await driver.FindOpenRequestAsync(services.Configuration.Instances[target.Instance].EffectiveCloneName, cancellationToken) is { } open)
        {
            problems.Add($"{target.Instance} already has an open clone request {open.Number} ({open.RawState}); wait for it to finish or cancel it first");
        }

        var missing = await TablesMissingOnSourceAsync(sourceClient, targetClient, cancellationToken);
        if (missing.Count > 0)
        {
            warnings.Add($"{missing.Count} table(s) exist on {target.Instance} but not on {target.Source}; no preserver can keep their rows: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : string.Empty)}");
        }

        return new PreflightResult(problems, warnings);
    }

    /// <summary>Tables the target has and the source lacks (their rows are lost unless exported).</summary>
    internal static async Task<List<string>> TablesMissingOnSourceAsync(ServiceNowClient source, ServiceNowClient target, CancellationToken cancellationToken)
    {
        var onSource = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in source.GetRecordsAsync("sys_db_object", fields: ["sys_id", "name"], cancellationToken: cancellationToken))
        {
            onSource.Add(row.Get("name") ?? string.Empty);
        }

        var missing = new List<string>();
        await foreach (var row in target.GetRecordsAsync("sys_db_object", fields: ["sys_id", "name"], cancellationToken: cancellationToken))
        {
            if (row.Get("name") is { Length: > 0 } name && !onSource.Contains(name))
            {
                missing.Add(name);
            }
        }

        missing.Sort(StringComparer.Ordinal);
        return missing;
    }

    internal static async Task<ServiceNowRecord?> FirstAsync(ServiceNowClient client, string table, TableQuery query, CancellationToken cancellationToken)
    {
        await foreach (var row in client.GetRecordsAsync(table, query, pageSize: 1, cancellationToken: cancellationToken))
        {
            return row;
        }

        return null;
    }

    private static async Task CheckAsync(string what, Func<Task<long>> probe, List<string> problems)
    {
        try
        {
            await probe();
        }
        catch (ServiceNowException ex) when (ex.Status is HttpStatusCode.Unauthorized)
        {
            problems.Add($"cannot {what}: the credentials are refused ({ex.ServiceMessage})");
        }
        catch (ServiceNowException ex) when (ex.Status is HttpStatusCode.Forbidden)
        {
            problems.Add($"cannot {what}: the account lacks the role ({ex.ServiceMessage})");
        }
        catch (ServiceNowException ex) when (!ex.IsTransient)
        {
            problems.Add($"cannot {what}: {ex.ServiceMessage}");
        }
    }
}
