using System.Globalization;
using CloneFlow.Core.Activities;
using System.Net;
using System.Text;

namespace CloneFlow.Core.Runs;

/// <summary>
/// The report for people: one self-contained page (inline CSS and SVG, no scripts, no external assets)
/// with the outcome at a glance, a timeline of the phases and every set before and after.
/// Everything from ServiceNow or people is HTML-escaped.
/// </summary>
public static class RunReportHtml
{
    /// <summary>Renders the page.</summary>
    public static string Render(RunReport report, RunPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(16 * 1024);
        var ok = report.Status == RunOutcome.Completed && report.Verified;
        var badge = ok ? "ok" : report.Status is RunOutcome.DryRun ? "info" : "bad";
        var restored = report.UpdateSets.Count(s => s.Identical);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>CloneFlow report {E(report.RunId)}</title><style>{Css}</style></head><body><main>");
        html.Append(CultureInfo.InvariantCulture, $"<header><p class=\"run\">CloneFlow run {E(report.RunId)}</p><h1>{E(report.Source)} <span aria-hidden=\"true\">&rarr;</span><span class=\"sr\"> to </span> {E(report.Target)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"badge {badge}\">{E(report.Status.ToString())}{(report.Status == RunOutcome.Completed ? report.Verified ? " &middot; verified" : " &middot; with differences" : string.Empty)}</p>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\">{E(report.Reason)}</p></header>");

        html.Append("<section class=\"tiles\">");
        Tile(html, "Update sets restored", $"{restored} / {report.UpdateSets.Count}", restored == report.UpdateSets.Count ? "ok" : "bad");
        Tile(html, "Updates", report.UpdateSets.Sum(s => s.UpdatesBefore).ToString("N0", CultureInfo.InvariantCulture), "info");
        Tile(html, "Missing updates", report.UpdateSets.Sum(s => s.Missing.Count).ToString(CultureInfo.InvariantCulture), report.UpdateSets.Any(s => s.Missing.Count > 0) ? "bad" : "ok");
        Tile(html, "Changed updates", report.UpdateSets.Sum(s => s.Changed.Count).ToString(CultureInfo.InvariantCulture), report.UpdateSets.Any(s => s.Changed.Count > 0) ? "bad" : "ok");
        if (report.Applications.Count > 0)
        {
            var appsBack = report.Applications.Count(a => a.Identical);
            Tile(html, "Applications back whole", $"{appsBack} / {report.Applications.Count}", appsBack == report.Applications.Count ? "ok" : "bad");
        }

        Tile(html, "Plugins re-activated", $"{report.Plugins.Activated.Count} / {report.Plugins.MissingAfterClone.Count}", report.Plugins.Activated.Count == report.Plugins.MissingAfterClone.Count ? "ok" : "bad");
        Tile(html, "Checks passed", $"{report.Checks.Count(c => c.Passed)} / {report.Checks.Count}", report.Checks.All(c => c.Passed) ? "ok" : "bad");
        html.Append("</section>");

        Timeline(html, report.Timeline);
        Sets(html, report);
        Applications(html, report);
        ExtraTables(html, report);
        if (plan is { EmptySets.Count: > 0 } || plan is { TablesMissingOnSource.Count: > 0 })
        {
            html.Append("<section><h2>Also in the plan</h2><ul>");
            foreach (var set in plan!.EmptySets)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>Empty update set <b>{E(set.Name)}</b> ({E(set.State)}): not exported</li>");
            }

            foreach (var table in plan.TablesMissingOnSource)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>Table <code>{E(table)}</code> exists on the target only: no preserver can keep it</li>");
            }

            html.Append("</ul></section>");
        }

        html.Append("<section><h2>Approvals</h2>");
        if (report.Approvals.Count == 0)
        {
            html.Append("<p class=\"muted\">No decisions.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>Gate</th><th>Decision</th><th>By</th><th>At (UTC)</th></tr></thead><tbody>");
            foreach (var approval in report.Approvals)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(approval.Gate)}</td><td class=\"{(approval.Decision == "approve" ? "ok" : "bad")}\">{E(approval.Decision)}</td><td>{E(approval.Approver)}</td><td>{approval.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</section><section><h2>Plugins and checks</h2><ul>");
        foreach (var plugin in report.Plugins.MissingAfterClone)
        {
            var activated = report.Plugins.Activated.Contains(plugin);
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"{(activated ? "ok" : "bad")}\">Plugin <code>{E(plugin)}</code>: lost by the clone, {(activated ? "activated again" : "not activated")}</li>");
        }

        foreach (var check in report.Checks)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"{(check.Passed ? "ok" : "bad")}\">{(check.Passed ? "&#10003;" : "&#10007;")} {E(check.Name)}: {E(check.Detail)}</li>");
        }

        if (report.Plugins.MissingAfterClone.Count == 0 && report.Checks.Count == 0)
        {
            html.Append("<li class=\"muted\">No plugin was lost and no check is configured.</li>");
        }

        html.Append(CultureInfo.InvariantCulture, $"</ul></section><footer>Generated {report.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC by CloneFlow. The exports stay with this report for a manual restore.</footer></main></body></html>");
        return html.ToString();
    }

    private static void Tile(StringBuilder html, string label, string value, string tone) =>
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"tile {tone}\"><span class=\"value\">{E(value)}</span><span class=\"label\">{E(label)}</span></div>");

    private static void Timeline(StringBuilder html, IReadOnlyList<PhaseRecord> phases)
    {
        html.Append("<section><h2>Timeline</h2>");
        if (phases.Count == 0)
        {
            html.Append("<p class=\"muted\">No phase ran.</p></section>");
            return;
        }

        var start = phases.Min(p => p.Started);
        var end = phases.Max(p => p.Ended);
        var total = Math.Max(1, (end - start).TotalSeconds);
        const int width = 900, row = 26, labelWidth = 190;
        var height = (phases.Count * row) + 24;
        html.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"Phases of the run over time\" viewBox=\"0 0 {width} {height}\" width=\"100%\">");
        for (var i = 0; i < phases.Count; i++)
        {
            var phase = phases[i];
            var x = labelWidth + ((phase.Started - start).TotalSeconds / total * (width - labelWidth - 90));
            var w = Math.Max(3, (phase.Ended - phase.Started).TotalSeconds / total * (width - labelWidth - 90));
            var y = (i * row) + 4;
            var tone = phase.Outcome switch { "ok" => "#2e7d32", "skipped" => "#9e9e9e", "waiting" => "#f9a825", _ => "#c62828" };
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 15}\" class=\"t\">{E(phase.Phase)}</text>");
            html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:F1}\" y=\"{y}\" width=\"{w:F1}\" height=\"18\" rx=\"3\" fill=\"{tone}\"><title>{E(phase.Phase)}: {E(phase.Outcome)}, {Duration(phase.Ended - phase.Started)}</title></rect>");
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + w + 6:F1}\" y=\"{y + 15}\" class=\"t muted\">{Duration(phase.Ended - phase.Started)}</text>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth}\" y=\"{height - 4}\" class=\"t muted\">{start.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC</text></svg></section>");
    }

    private static void Sets(StringBuilder html, RunReport report)
    {
        html.Append("<section><h2>Update sets before and after</h2>");
        if (report.UpdateSets.Count == 0)
        {
            html.Append("<p class=\"muted\">No in-flight update set.</p></section>");
            return;
        }

        html.Append("<table><thead><tr><th>Set</th><th>Kind</th><th>Parent</th><th>State before</th><th>State after</th><th>Updates</th><th>Differences</th></tr></thead><tbody>");
        foreach (var set in report.UpdateSets)
        {
            var exact = set.Identical;
            var depth = Depth(report.UpdateSets, set);
            var share = set.UpdatesBefore == 0 ? 100 : Math.Min(100, set.UpdatesAfter * 100.0 / set.UpdatesBefore);
            // The hierarchy as it was: a child is indented under its parent's name.
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(exact ? "ok" : "bad")}\"><td style=\"padding-left:{8 + (16 * depth)}px\">{(depth > 0 ? "&#8627; " : string.Empty)}{E(set.Name)}</td><td>{E(set.Kind)}</td><td>{E(set.ParentBefore.Length == 0 ? "—" : set.ParentBefore)}</td><td>{E(set.StateBefore)}</td><td>{E(set.StateAfter.Length == 0 ? "—" : set.StateAfter)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"nowrap\"><span class=\"bar\"><span style=\"width:{share:F0}%\"></span></span> {set.UpdatesAfter} / {set.UpdatesBefore}</td><td>");
            if (exact)
            {
                html.Append("&#10003; identical");
            }
            else
            {
                foreach (var name in set.Missing.Take(10))
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div>missing <code>{E(name)}</code></div>");
                }

                foreach (var name in set.Changed.Take(10))
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div>changed <code>{E(name)}</code></div>");
                }

                var more = set.Missing.Count + set.Changed.Count - Math.Min(10, set.Missing.Count) - Math.Min(10, set.Changed.Count);
                if (more > 0)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div class=\"muted\">and {more} more (see report.json)</div>");
                }

                if (set.StateAfter != set.StateBefore)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div>state {E(set.StateAfter.Length == 0 ? "absent" : set.StateAfter)} instead of {E(set.StateBefore)}</div>");
                }

                if (set.ParentAfter != set.ParentBefore)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div>parent {E(set.ParentAfter.Length == 0 ? "none" : set.ParentAfter)} instead of {E(set.ParentBefore.Length == 0 ? "none" : set.ParentBefore)}</div>");
                }

                if (!set.ApplicationFound)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div>its application <code>{E(set.Application)}</code> is no scope on the target</div>");
                }
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table></section>");
    }

    /// <summary>How deep a set sits in its batch (parents by name, bounded against cycles).</summary>
    private static int Depth(IReadOnlyList<SetVerification> sets, SetVerification set)
    {
        var depth = 0;
        for (var parent = set.ParentBefore; parent.Length > 0 && depth < 8; depth++)
        {
            parent = sets.FirstOrDefault(s => s.Name == parent && s.Kind == set.Kind)?.ParentBefore ?? string.Empty;
        }

        return depth;
    }

    private static void Applications(StringBuilder html, RunReport report)
    {
        if (report.Applications.Count == 0)
        {
            return;
        }

        html.Append("<section><h2>Applications</h2><table><thead><tr><th>Application</th><th>Route</th><th>Version</th><th>Files</th><th>Tables and rows</th></tr></thead><tbody>");
        foreach (var app in report.Applications)
        {
            var files = app.FilesBefore - app.MissingFileCount;
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(app.Identical ? "ok" : "bad")}\"><td><b>{E(app.Name)}</b><div class=\"muted\"><code>{E(app.Scope)}</code>{(app.ScopeFound ? string.Empty : " &middot; scope missing")}</div></td><td>{E(app.Route)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{E(app.VersionAfter.Length == 0 ? "absent" : app.VersionAfter)}{(app.VersionAfter == app.VersionBefore ? string.Empty : $" (was {E(app.VersionBefore)})")}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"nowrap\"><span class=\"bar\"><span style=\"width:{(app.FilesBefore == 0 ? 100 : files * 100.0 / app.FilesBefore):F0}%\"></span></span> {files} / {app.FilesBefore}");
            foreach (var missing in app.MissingFiles)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div>missing <code>{E(missing)}</code></div>");
            }

            html.Append("</td><td>");
            foreach (var table in app.Tables)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"{(table.Identical ? "ok" : "bad")}\"><code>{E(table.Table)}</code> {(table.Exists ? string.Empty : "absent ")}{table.ColumnsAfter} / {table.ColumnsBefore} columns, {table.RowsExported - table.RowsMissing} / {table.RowsExported} rows</div>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table></section>");
    }

    private static void ExtraTables(StringBuilder html, RunReport report)
    {
        if (report.ExtraTables.Count == 0)
        {
            return;
        }

        html.Append("<section><h2>Extra tables</h2><ul>");
        foreach (var table in report.ExtraTables)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"{(table.Identical ? "ok" : "bad")}\"><code>{E(table.Table)}</code>: {table.RowsExported - table.RowsMissing} / {table.RowsExported} exported rows there</li>");
        }

        html.Append("</ul></section>");
    }

    private static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min")
        : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds} s")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:F1} s");

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    private const string Css =
        "body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2129}" +
        "main{max-width:1000px;margin:0 auto;padding:24px}header h1{font-size:34px;margin:4px 0}.run{color:#5f6b7a;margin:0}" +
        ".badge{display:inline-block;padding:4px 12px;border-radius:14px;font-weight:600;color:#fff}.badge.ok{background:#2e7d32}.badge.bad{background:#c62828}.badge.info{background:#1565c0}" +
        ".reason{color:#37414d}.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:20px 0}" +
        ".tile{background:#fff;border-radius:8px;padding:14px;border-left:6px solid #1565c0;box-shadow:0 1px 2px #0002}.tile.ok{border-color:#2e7d32}.tile.bad{border-color:#c62828}" +
        ".tile .value{display:block;font-size:26px;font-weight:700}.tile .label{color:#5f6b7a}section{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 2px #0002}" +
        "h2{font-size:19px;margin:0 0 12px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:7px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}" +
        "tr.ok td:first-child{border-left:4px solid #2e7d32}tr.bad td:first-child{border-left:4px solid #c62828}td.ok,li.ok{color:#2e7d32}td.bad,li.bad{color:#c62828}" +
        ".bar{display:inline-block;width:80px;height:8px;background:#e3e6ea;border-radius:4px;vertical-align:middle}.bar span{display:block;height:8px;background:#2e7d32;border-radius:4px}" +
        ".nowrap{white-space:nowrap}.muted{color:#5f6b7a;fill:#5f6b7a}.t{font-size:13px}.sr{position:absolute;left:-9999px}code{background:#eef0f3;padding:1px 4px;border-radius:3px}footer{color:#5f6b7a;font-size:13px;margin:24px 0}";
}
