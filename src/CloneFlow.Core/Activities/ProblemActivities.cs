using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Activities;

/// <summary>One unresolved preview problem, as the approval page shows it.</summary>
/// <param name="SysId">The problem's sys_id (the key of a per-problem choice).</param>
/// <param name="Type">error or warning.</param>
/// <param name="Description">ServiceNow's text.</param>
/// <param name="RemoteUpdate">The sys_update_xml it concerns.</param>
/// <param name="MissingTable">For a missing table (usually a plugin not active): its name; empty otherwise.</param>
public sealed record PreviewProblem(string SysId, string Type, string Description, string RemoteUpdate, string MissingTable);

/// <summary>The problems of a preview: the count for the orchestration, the list in <c>problems-{round}.json</c>.</summary>
/// <param name="Count">Unresolved problems.</param>
/// <param name="Blob">Where the list is.</param>
/// <param name="MissingTables">Distinct tables reported missing (a sign of a missing plugin).</param>
public sealed record ProblemsInfo(int Count, string Blob, IReadOnlyList<string> MissingTables);

/// <summary>Which problems to look at.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The target.</param>
/// <param name="Round">The preview round (one list per round).</param>
public sealed record ProblemsQuery(string RunId, string Target, int Round)
{
    /// <summary>One restored remote set (a scoped app's) whose problems to look at; empty: the restore batch.</summary>
    public string Set { get; init; } = string.Empty;
}

/// <summary>How to resolve problems: a default and per-problem overrides (<c>accept</c> = accept remote update, <c>skip</c> = skip it).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Target">The target.</param>
/// <param name="Round">The preview round whose problems are resolved.</param>
/// <param name="Default">The choice for problems without an override.</param>
/// <param name="Choices">Per problem sys_id.</param>
public sealed record ProblemResolution(string RunId, string Target, int Round, string Default, IReadOnlyDictionary<string, string> Choices)
{
    /// <summary>As <see cref="ProblemsQuery.Set"/>.</summary>
    public string Set { get; init; } = string.Empty;
}

/// <summary>Collects the unresolved preview problems of the run's restored sets.</summary>
public sealed class PreviewProblemsActivity(RunServices services) : CloneFlowActivity<ProblemsQuery, ProblemsInfo>
{
    /// <inheritdoc />
    public override async Task<ProblemsInfo> ExecuteAsync(ProblemsQuery input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = await Unresolved.ListAsync(services, input.RunId, input.Target, input.Set, CancellationToken.None);
        var blob = $"problems-{input.Round:D2}.json";
        await services.Artifacts.WriteJsonAsync(input.RunId, blob, problems);
        var missing = problems.Select(p => p.MissingTable).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(20).ToList();
        return new ProblemsInfo(problems.Count, blob, missing);
    }
}

/// <summary>Resolves the preview problems as the approver chose (through the Table API, as on a real instance).</summary>
public sealed class ResolveProblemsActivity(RunServices services) : CloneFlowActivity<ProblemResolution, int>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(ProblemResolution input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var client = await services.Clients.GetAsync(services.Target(input.Target).Instance, CancellationToken.None);
        var problems = await Unresolved.ListAsync(services, input.RunId, input.Target, input.Set, CancellationToken.None);
        foreach (var problem in problems)
        {
            var choice = input.Choices.TryGetValue(problem.SysId, out var chosen) ? chosen : input.Default;
            var status = choice switch
            {
                "accept" => "ignored",
                "skip" => "skipped",
                _ => throw new InvalidOperationException($"'{choice}' is not a problem resolution (accept or skip)."),
            };
            await client.UpdateAsync("sys_update_preview_problem", problem.SysId, new Dictionary<string, string?> { ["status"] = status });
        }

        return problems.Count;
    }
}

/// <summary>Finds the unresolved problems of one restored remote set, or of every remote set the run restored under its batch.</summary>
internal static class Unresolved
{
    public static async Task<List<PreviewProblem>> ListAsync(RunServices services, string runId, string target, string set, CancellationToken cancellationToken)
    {
        var client = await services.Clients.GetAsync(services.Target(target).Instance, cancellationToken);
        var sets = new List<string>();
        if (set.Length > 0)
        {
            sets.Add(set);
        }
        else
        {
            var manifest = await RunManifest.ReadAsync(services.Artifacts, runId, cancellationToken);
            sets.Add(RestoreIds.ContainerFor(runId));
            sets.AddRange(manifest.Items.Where(item => item.Kind == ExportKind.LocalSet).OrderBy(item => item.Index).Select(item => item.RemoteSysId));
        }

        var problems = new List<PreviewProblem>();
        foreach (var chunk in sets.Chunk(100))
        {
            var query = TableQuery.All.AndIn("remote_update_set", chunk).AndEmpty("status");
            await foreach (var row in client.GetRecordsAsync("sys_update_preview_problem", query, cancellationToken: cancellationToken))
            {
                // A missing table is a missing sys_db_object record: missing_item then names the table.
                var missingTable = row.Get("missing_item_table") == "sys_db_object" ? row.Get("missing_item") ?? string.Empty : string.Empty;
                problems.Add(new PreviewProblem(row.SysId, row.Get("type") ?? string.Empty, row.Get("description") ?? string.Empty, row.Get("remote_update") ?? string.Empty, missingTable));
            }
        }

        return problems;
    }
}
