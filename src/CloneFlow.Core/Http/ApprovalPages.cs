using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using Microsoft.AspNetCore.Http;

namespace CloneFlow.Core.Http;

/// <summary>
/// The approver's page behind a signed link (<c>GET|POST /api/approvals/{token}</c>): server-rendered,
/// no scripts, no external assets. An invalid, expired or used link shows why and nothing of the
/// plan. The form carries an anti-forgery value that must match a same-site cookie set with the page,
/// so another site cannot submit a decision with the approver's link.
/// </summary>
public sealed class ApprovalPages(CloneRuns runs, ApprovalTokenService tokens, ApprovalDecisionRecorder recorder, RunArtifactStore artifacts, GateInputChecks? inputChecks = null)
{
    /// <summary>The anti-forgery cookie and form field.</summary>
    public const string AntiForgeryName = "cloneflow_af";

    /// <summary><c>GET</c>: the plan or the problems, and the decision form.</summary>
    public async Task<IResult> ShowAsync(string token, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var validation = tokens.Validate(token);
        if (!validation.IsValid)
        {
            var refusal = ApprovalOutcome.RefusalFor(validation.Status)!.Value;
            return Page(ApprovalOutcome.HttpStatusFor(refusal), "This approval link does not work", ApprovalOutcome.MessageFor(refusal));
        }

        var claims = validation.Claims!;
        var (waiting, _) = await WaitingAsync(claims, cancellationToken);
        if (waiting is null)
        {
            return Page(StatusCodes.Status410Gone, "Nothing to decide any more", $"Run {claims.RunId} is no longer waiting for the {claims.Gate} decision.");
        }

        var antiForgery = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Response.Cookies.Append(AntiForgeryName, antiForgery, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/api/approvals" });
        var plan = await artifacts.ReadJsonAsync<RunPlan>(claims.RunId, PlanActivity.PlanBlob, cancellationToken);
        // Problem gate rounds and preview rounds advance together, so the round names the problem list.
        var problems = claims.Gate == "problems"
            ? await artifacts.ReadJsonAsync<List<PreviewProblem>>(claims.RunId, $"problems-{claims.Round:D2}.json", cancellationToken)
            : null;
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"run\">Run {E(claims.RunId)} &middot; {E(claims.Gate)} approval, round {claims.Round} &middot; for {E(claims.Approver)}</p>");
        if (plan is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<h1>{E(plan.Source)} <span aria-hidden=\"true\">&rarr;</span><span class=\"sr\"> to </span> {E(plan.TargetInstance)}</h1>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<p class=\"question\">{E(waiting.Question)}</p>");
        if (claims.Gate == "clone")
        {
            body.Append("<p><b>When:</b> the clone is requested as soon as every export is verified after your approval; nothing is cloned if any export fails.</p>");
        }
        if (plan is not null && claims.Gate is "clone" or "plugins")
        {
            Plan(body, plan);
        }

        body.Append(CultureInfo.InvariantCulture, $"<form method=\"post\"><input type=\"hidden\" name=\"{AntiForgeryName}\" value=\"{antiForgery}\">");
        if (problems is { Count: > 0 })
        {
            Problems(body, problems);
        }

        GateFormHtml.Append(body, GateForms.For(claims.Gate), waiting.Actions);

        body.Append("<label for=\"comment\">Comment (optional)</label><textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"2000\"></textarea>");
        body.Append("<div class=\"buttons\"><button type=\"submit\" name=\"decision\" value=\"approve\" class=\"approve\">Approve</button><button type=\"submit\" name=\"decision\" value=\"reject\" class=\"reject\">Reject</button></div></form>");
        return Html(StatusCodes.Status200OK, "CloneFlow approval", body.ToString());
    }

    /// <summary><c>POST</c>: records the decision (200), or says why not (400, 403, 409, 410).</summary>
    public async Task<IResult> DecideAsync(string token, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.HasFormContentType)
        {
            return Page(StatusCodes.Status400BadRequest, "Not a form", "Decisions are posted from the approval page.");
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var posted = form[AntiForgeryName].ToString();
        var cookie = context.Request.Cookies[AntiForgeryName] ?? string.Empty;
        if (posted.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(posted), Encoding.UTF8.GetBytes(cookie)))
        {
            return Page(StatusCodes.Status403Forbidden, "The form could not be accepted", "Open the approval link again and decide on that page.");
        }

        var verdict = form["decision"].ToString() switch
        {
            "approve" => (ApprovalVerdict?)ApprovalVerdict.Approve,
            "reject" => ApprovalVerdict.Reject,
            _ => null,
        };
        if (verdict is null)
        {
            return Page(StatusCodes.Status400BadRequest, "No decision", "Choose Approve or Reject.");
        }

        IReadOnlyDictionary<string, string> choices = new Dictionary<string, string>();
        if (tokens.Validate(token) is { IsValid: true, Claims: { } claims })
        {
            // The gate's inputs, checked before anything is recorded: a wrong answer loses nothing.
            var (waiting, target) = await WaitingAsync(claims, cancellationToken);
            if (waiting is not null)
            {
                var gateForm = GateForms.For(claims.Gate);
                var fields = form.Keys.ToDictionary(k => k, k => form[k].ToString(), StringComparer.Ordinal);
                var problems = gateForm.PerProblemChoices
                    ? (await artifacts.ReadJsonAsync<List<PreviewProblem>>(claims.RunId, $"problems-{claims.Round:D2}.json", cancellationToken) ?? []).Select(p => p.SysId).ToList()
                    : null;
                var answer = gateForm.Validate(verdict.Value, fields, waiting.Actions, problems);
                var wrong = answer.Error;
                if (wrong is null && verdict == ApprovalVerdict.Approve && inputChecks is not null && target is not null)
                {
                    wrong = await inputChecks.CheckAsync(target, claims.Gate, answer.Values, cancellationToken);
                }

                if (wrong is not null)
                {
                    return Page(StatusCodes.Status400BadRequest, "Please correct your answer", $"{wrong} Nothing was recorded: go back, correct it and decide again.");
                }

                choices = answer.Values;
            }
        }

        var principal = context.Request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].FirstOrDefault();
        ApprovalDecisionResult result;
        try
        {
            result = await runs.DecideAsync(recorder, token, verdict.Value, form["comment"].ToString(), choices, principal, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Storage or the engine (gRPC, HTTP: each host has its own) failed mid-way: never say "recorded" for what may not be kept.
            return Page(StatusCodes.Status503ServiceUnavailable, "The decision was not recorded", ApprovalOutcome.MessageFor(ApprovalRefusal.NotRecorded));
        }

        if (result.Earlier is { } earlier)
        {
            var earlierWhat = earlier.Verdict == ApprovalVerdict.Approve ? "approved" : "rejected";
            return Page(StatusCodes.Status409Conflict, "Already decided with this link", $"Your decision ({earlierWhat} by {earlier.Approver} at {earlier.DecidedAt:u}) is recorded and has been passed to run {earlier.RunId} again. This link cannot change it.");
        }

        if (!result.Accepted)
        {
            return Page(result.HttpStatus, "The decision was not recorded", result.Reason ?? ApprovalOutcome.MessageFor(result.Refusal!.Value));
        }

        var what = verdict == ApprovalVerdict.Approve ? "approved" : "rejected";
        return Page(StatusCodes.Status200OK, $"Thank you: {what}", $"Your decision on the {result.Claims!.Gate} gate of run {result.Claims.RunId} is recorded. You can close this page.");
    }

    /// <summary>The gate round the token's run waits on (null when it does not), and the run's target.</summary>
    private async Task<(WaitingGate? Gate, string? Target)> WaitingAsync(ApprovalClaims claims, CancellationToken cancellationToken) =>
        await runs.GetAsync(claims.RunId, cancellationToken) is { Instance.IsCompleted: false, Status: { } status } run
            ? (status.PendingApprovals.FirstOrDefault(g => g.Gate == claims.Gate && g.Round == claims.Round), run.Instance.ReadInputAs<CloneRunInput>()?.Target)
            : (null, null);

    private static void Plan(StringBuilder body, RunPlan plan)
    {
        body.Append("<section><h2>Preserved across the clone</h2><ul>");
        foreach (var set in plan.LocalSets)
        {
            body.Append(CultureInfo.InvariantCulture, $"<li>{E(set.Name)} <span class=\"muted\">({E(set.State)}, {set.Updates} updates)</span></li>");
        }

        foreach (var set in plan.RemoteSets)
        {
            body.Append(CultureInfo.InvariantCulture, $"<li>{E(set.Name)} <span class=\"muted\">(remote, {E(set.State)}, {set.Updates} updates)</span></li>");
        }

        foreach (var app in plan.ScopedApps)
        {
            // Which route each app takes, and what it cannot bring back, before anyone approves the clone.
            body.Append(CultureInfo.InvariantCulture, $"<li>Scoped application <b>{E(app.Name)}</b> {E(app.Version)} (<code>{E(app.Scope)}</code>): {app.Files.Count} files, {app.Tables.Count} tables with {app.Tables.Sum(t => t.Rows)} rows. Route <b>{E(app.Route)}</b>: {E(app.RouteReason)}");
            if (app.UntrackedFiles.Count > 0)
            {
                body.Append(CultureInfo.InvariantCulture, $". <b>{app.UntrackedFiles.Count} file(s) have no customer update and will be lost</b>");
            }

            body.Append("</li>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<li>{plan.ActivePlugins.Count} active plugins, re-activated after the clone if it removes them</li>");
        foreach (var table in plan.ExtraTables)
        {
            body.Append(CultureInfo.InvariantCulture, $"<li>Rows of <code>{E(table.Table)}</code> ({table.Rows})</li>");
        }

        body.Append("</ul></section><section><h2>Lost by the clone</h2><ul>");
        foreach (var set in plan.EmptySets)
        {
            body.Append(CultureInfo.InvariantCulture, $"<li>Empty update set {E(set.Name)}</li>");
        }

        foreach (var table in plan.TablesMissingOnSource)
        {
            body.Append(CultureInfo.InvariantCulture, $"<li>Table <code>{E(table)}</code> (exists on the target only)</li>");
        }

        body.Append("</ul></section>");
    }

    private static void Problems(StringBuilder body, List<PreviewProblem> problems)
    {
        // No row is pre-chosen: a row left alone takes the choice for problems not chosen one by one.
        body.Append("<section><h2>Preview problems</h2><table><thead><tr><th>Problem</th><th>Accept remote update</th><th>Skip it</th></tr></thead><tbody>");
        foreach (var problem in problems)
        {
            var name = $"problem:{E(problem.SysId)}";
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(problem.Description)}</td><td><input type=\"radio\" name=\"{name}\" value=\"accept\" aria-label=\"accept\"></td><td><input type=\"radio\" name=\"{name}\" value=\"skip\" aria-label=\"skip\"></td></tr>");
        }

        body.Append("</tbody></table></section>");
    }

    private static IResult Page(int status, string title, string message) =>
        Html(status, title, $"<h1>{E(title)}</h1><p class=\"question\">{E(message)}</p>");

    private static IResult Html(int status, string title, string body) => Results.Content(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{E(title)}</title><style>{Css}</style></head><body><main>{body}</main></body></html>",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        status);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    private const string Css =
        "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2129}main{max-width:760px;margin:0 auto;padding:24px}" +
        "h1{font-size:34px;margin:8px 0}.run,.muted{color:#5f6b7a}.question{font-size:18px}section{background:#fff;border-radius:8px;padding:12px 18px;margin:14px 0}" +
        "label{display:block;margin-top:12px;font-weight:600}textarea{width:100%;font:inherit}.buttons{margin-top:14px;display:flex;gap:12px}" +
        "button{font:inherit;font-weight:600;padding:10px 22px;border:0;border-radius:6px;color:#fff;cursor:pointer}.approve{background:#2e7d32}.reject{background:#c62828}" +
        "button:focus{outline:3px solid #1565c0;outline-offset:2px}table{border-collapse:collapse;width:100%}td,th{padding:6px;border-bottom:1px solid #e3e6ea;text-align:left}" +
        "code{background:#eef0f3;padding:1px 4px}.sr{position:absolute;left:-9999px}fieldset{border:1px solid #e3e6ea;border-radius:6px;margin-top:12px}" +
        "legend{font-weight:600}label.option{display:inline-block;font-weight:400;margin:4px 16px 0 0}input[type=text]{width:100%;font:inherit}";
}
