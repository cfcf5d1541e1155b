using System.Text.Json;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runs;
using Microsoft.AspNetCore.Http;

namespace CloneFlow.Core.Http;

/// <summary>The body of <c>POST /api/clones</c>.</summary>
/// <param name="Target">A configured target's name.</param>
/// <param name="DryRun">Plan and export only.</param>
public sealed record StartCloneRequest(string? Target, bool DryRun = false);

/// <summary>
/// The HTTP API both hosts serve (<c>/api/clones</c>): start, inspect, cancel and report. Errors are
/// RFC 7807 problem+json naming what is wrong; targets come only from configuration.
/// </summary>
/// <param name="runs">Run control over the host's Durable client.</param>
/// <param name="artifacts">The run artifacts.</param>
/// <param name="configuration">The configuration (targets).</param>
/// <param name="requireSignedIn">Behind Easy Auth: refuse calls without a signed-in principal (App Service sets the header and strips it from clients).</param>
public sealed class CloneApi(CloneRuns runs, RunArtifactStore artifacts, CloneFlowConfiguration configuration, bool requireSignedIn = false)
{
    private const int MaxBodyBytes = 16 * 1024;

    /// <summary><c>POST /api/clones</c>: 202 with the status URL, 409 with the running id when the target is busy.</summary>
    public async Task<IResult> StartAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Unauthenticated(request) is { } refused)
        {
            return refused;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"A clone request is a small JSON object (at most {MaxBodyBytes} bytes).");
        }

        StartCloneRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<StartCloneRequest>(request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid JSON", $"The body must be {{\"target\": \"<name>\", \"dryRun\": false}}: {ex.Message}");
        }

        if (string.IsNullOrWhiteSpace(body?.Target))
        {
            return Problem(StatusCodes.Status400BadRequest, "Target missing", $"Name a configured target: {string.Join(", ", configuration.Targets.Keys)}.");
        }

        if (!configuration.Targets.ContainsKey(body.Target))
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown target", $"'{body.Target}' is not a configured target; configured: {string.Join(", ", configuration.Targets.Keys)}.");
        }

        var requester = Requester(request);
        var started = await runs.StartAsync(body.Target, requester, body.DryRun, cancellationToken);
        var location = $"/api/clones/{started.RunId}";
        if (!started.Started)
        {
            return Problem(StatusCodes.Status409Conflict, "Target busy", $"Target '{body.Target}' already has an active run {started.RunId}; one run per target at a time.", new Dictionary<string, object?> { ["runId"] = started.RunId, ["statusUrl"] = location });
        }

        return Results.Accepted(location, new { runId = started.RunId, statusUrl = location });
    }

    /// <summary><c>GET /api/clones</c>: the newest runs of the last 90 days (at most 50), newest first, with their phase.</summary>
    public async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        var recent = await runs.ListAsync(50, TimeSpan.FromDays(90), cancellationToken);
        return Results.Ok(new
        {
            runs = recent.Select(r => new
            {
                runId = r.InstanceId,
                runtimeStatus = r.RuntimeStatus.ToString(),
                createdAt = r.CreatedAt,
                lastUpdatedAt = r.LastUpdatedAt,
                phase = RunStatus.Parse(r.SerializedCustomStatus)?.Phase,
            }),
        });
    }

    /// <summary><c>GET /api/clones/{id}</c>: phase, progress, approvals, clone request and artifacts.</summary>
    public async Task<IResult> GetAsync(string runId, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(runId, cancellationToken) is not { } run)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown run", $"No run '{runId}'.");
        }

        var result = run.Instance.IsCompleted ? run.Instance.ReadOutputAs<CloneRunResult>() : null;
        var names = (await artifacts.ListAsync(runId, cancellationToken)).Select(a => new { a.Name, a.Bytes, a.Verified });
        return Results.Ok(new
        {
            runId,
            runtimeStatus = run.Instance.RuntimeStatus.ToString(),
            status = run.Status,
            // What each pending gate asks for, from the same forms the approval page and the CLI use.
            gates = (run.Status?.PendingApprovals ?? []).Select(g => new
            {
                gate = g.Gate,
                round = g.Round,
                inputs = Approvals.GateForms.For(g.Gate).Inputs.Select(i => new
                {
                    name = i.Name,
                    kind = i.Kind.ToString().ToLowerInvariant(),
                    options = i.Name == Approvals.GateForms.Action && g.Actions is { Count: > 0 } actions ? actions : i.Options,
                    @default = i.Default,
                    help = i.Help,
                }),
                perProblemChoices = Approvals.GateForms.For(g.Gate).PerProblemChoices,
            }),
            result,
            artifacts = names,
        });
    }

    /// <summary><c>POST /api/clones/{id}/cancel</c>: 202; 404 for an unknown run; 409 for a finished one.</summary>
    public async Task<IResult> CancelAsync(string runId, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Unauthenticated(request) is { } refused)
        {
            return refused;
        }

        if (await runs.GetAsync(runId, cancellationToken) is not { } run)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown run", $"No run '{runId}'.");
        }

        if (run.Instance.IsCompleted)
        {
            return Problem(StatusCodes.Status409Conflict, "Run finished", $"Run '{runId}' already ended ({run.Instance.RuntimeStatus}); there is nothing to cancel.");
        }

        if (CancelRefusal(run.Instance.ReadInputAs<CloneRunInput>(), run.Status) is { } refusal)
        {
            return Problem(StatusCodes.Status409Conflict, "Cannot be canceled now", refusal);
        }

        await runs.CancelAsync(runId, Requester(request), "canceled through the API", cancellationToken);
        return Results.Accepted($"/api/clones/{runId}", new { runId, cancelRequested = true });
    }

    /// <summary><c>GET /api/clones/{id}/report</c>: the HTML report for browsers, JSON otherwise; 404 until it exists.</summary>
    public async Task<IResult> ReportAsync(string runId, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var html = request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
        string name;
        try
        {
            name = html ? WriteReportActivity.HtmlBlob : WriteReportActivity.JsonBlob;
            if (await artifacts.GetInfoAsync(runId, name, cancellationToken) is null)
            {
                return Problem(StatusCodes.Status404NotFound, "No report yet", $"Run '{runId}' has no report yet; it is written when the run ends.");
            }
        }
        catch (ArgumentException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid run id", $"'{runId}' is not a run id.");
        }

        var stream = await artifacts.OpenReadAsync(runId, name, cancellationToken);
        return Results.Stream(stream, html ? "text/html; charset=utf-8" : "application/json");
    }

    private IResult? Unauthenticated(HttpRequest request) =>
        requireSignedIn && string.IsNullOrWhiteSpace(request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].FirstOrDefault())
            ? Problem(StatusCodes.Status401Unauthorized, "Sign-in required", "This CloneFlow requires a signed-in user (Easy Auth) to start or cancel runs.")
            : null;

    /// <summary>Who asks: the Easy Auth principal when the host sits behind it, else "api".</summary>
    /// <summary>
    /// Why a cancel cannot work in the run's phase, and what to do instead; null when CloneFlow can act on
    /// it (before the clone it stops the run; while the table driver's clone runs it cancels the clone if
    /// the instance still allows it).
    /// </summary>
    private string? CancelRefusal(CloneRunInput? input, RunStatus? status)
    {
        if (input is null || status?.CloneRequest is not { } number || !configuration.Targets.TryGetValue(input.Target, out var target))
        {
            return null;
        }

        if (status.Phase is not ("clone" or "monitor"))
        {
            return $"Clone {number} has already overwritten {target.Instance}: CloneFlow is restoring the in-flight work, and stopping now would leave it half restored. Let the run finish; a failed step asks a person (retry, skip or abort).";
        }

        return target.Cloning.Driver == "manual"
            ? $"Clone {number} was requested in the Clone Admin Console, which CloneFlow cannot cancel: cancel it there on {target.Source} before node repoint; CloneFlow then sees it canceled and ends the run with the target unchanged."
            : null;
    }

    private static string Requester(HttpRequest request) =>
        request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].FirstOrDefault() is { Length: > 0 } principal ? principal : "api";

    private static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
}
