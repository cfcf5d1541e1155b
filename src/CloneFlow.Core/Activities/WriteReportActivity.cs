using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;

namespace CloneFlow.Core.Activities;

/// <summary>Where the report went.</summary>
/// <param name="Json">The JSON report's blob name.</param>
/// <param name="Html">The HTML report's blob name.</param>
public sealed record ReportInfo(string Json, string Html);

/// <summary>Writes the run report as JSON (for tools) and HTML (for people), next to the exports.</summary>
public sealed class WriteReportActivity(RunServices services) : CloneFlowActivity<ReportInput, ReportInfo>
{
    /// <summary>The JSON report's name relative to the run.</summary>
    public const string JsonBlob = "report.json";

    /// <summary>The HTML report's name relative to the run.</summary>
    public const string HtmlBlob = "report.html";

    /// <inheritdoc />
    public override async Task<ReportInfo> ExecuteAsync(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = CancellationToken.None;
        var plan = await services.Artifacts.ReadJsonAsync<RunPlan>(input.RunId, PlanActivity.PlanBlob, cancellationToken);
        var verification = await services.Artifacts.ReadJsonAsync<RestoreVerification>(input.RunId, VerifyRestoreActivity.VerificationBlob, cancellationToken);
        var settings = services.Target(input.Target);
        var report = new RunReport
        {
            RunId = input.RunId,
            Source = settings.Source,
            Target = settings.Instance,
            Status = input.Outcome,
            Verified = input.Verified,
            Reason = input.Reason,
            CloneRequests = input.CloneRequests,
            Approvals = input.Approvals.Select(a => new ReportApproval(a.Gate, a.Decision, a.Approver, a.At)).ToList(),
            UpdateSets = verification?.Sets ?? SetsAsPlanned(plan),
            Applications = verification?.Apps ?? AppsAsPlanned(plan),
            ExtraTables = verification?.ExtraTables ?? [],
            Plugins = new ReportPlugins(input.PluginsMissing, input.PluginsActivated),
            Checks = input.Checks,
            Timeline = input.Timeline,
            GeneratedAt = services.Time.GetUtcNow(),
        };
        var json = await services.Artifacts.WriteJsonAsync(input.RunId, JsonBlob, report, cancellationToken);
        var html = await services.Artifacts.WriteAsync(input.RunId, HtmlBlob, "text/html; charset=utf-8", async (stream, token) =>
        {
            await using var writer = new StreamWriter(stream, leaveOpen: true);
            await writer.WriteAsync(RunReportHtml.Render(report, plan));
        }, cancellationToken);
        return new ReportInfo(json.Name, html.Name);
    }

    /// <summary>Before a restore (rejected, dry run, failed early) the report lists the sets as planned.</summary>
    private static List<SetVerification> SetsAsPlanned(RunPlan? plan) => plan is null
        ? []
        : plan.LocalSets.Select(s => new SetVerification(s.Name, "local", s.State, string.Empty, s.Updates, 0, [], []) { Application = s.Application, ParentBefore = PlannedSets.NameOf(plan.LocalSets, s.Parent) })
            .Concat(plan.RemoteSets.Select(s => new SetVerification(s.Name, "remote", s.State, string.Empty, s.Updates, 0, [], []) { Application = s.Application, ParentBefore = PlannedSets.NameOf(plan.RemoteSets, s.Parent) }))
            .ToList();

    /// <summary>Before a restore the report lists the apps as planned (none of them back yet).</summary>
    private static List<AppVerification> AppsAsPlanned(RunPlan? plan) => plan is null
        ? []
        : plan.ScopedApps.Select(a => new AppVerification(a.Name, a.Scope, a.Route, a.Version, string.Empty, false, a.Files.Count, [], 0,
            a.Tables.Select(t => new TableVerification(t.Table, false, t.Columns, 0, t.Rows, 0)).ToList())).ToList();
}
