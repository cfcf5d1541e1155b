using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Activities;

/// <summary>One post-clone check's outcome.</summary>
/// <param name="Name">The check.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Detail">What was found.</param>
public sealed record CheckResult(string Name, bool Passed, string Detail);

/// <summary>Runs the target's post-clone checks (runbook step 16): properties must have their expected values.</summary>
public sealed class PostCloneChecksActivity(RunServices services) : CloneFlowActivity<RunRef, IReadOnlyList<CheckResult>>
{
    /// <inheritdoc />
    public override async Task<IReadOnlyList<CheckResult>> ExecuteAsync(RunRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var settings = services.Target(input.Target);
        var client = await services.Clients.GetAsync(settings.Instance, CancellationToken.None);
        var results = new List<CheckResult>();
        foreach (var check in settings.PostCloneChecks)
        {
            string? value = null;
            var found = false;
            await foreach (var row in client.GetRecordsAsync("sys_properties", TableQuery.Where("name", check.Property), ["sys_id", "value"]))
            {
                value = row.Get("value");
                found = true;
            }

            var passed = found && string.Equals(value, check.Expected, StringComparison.Ordinal);
            var detail = found ? $"{check.Property} is '{value}' (expected '{check.Expected}')" : $"{check.Property} does not exist (expected '{check.Expected}')";
            results.Add(new CheckResult(check.Name, passed, detail));
        }

        return results;
    }
}
