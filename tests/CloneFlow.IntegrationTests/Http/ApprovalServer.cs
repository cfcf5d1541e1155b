using CloneFlow.Core.Http;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.IntegrationTests.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloneFlow.IntegrationTests.Http;

/// <summary>The approval pages and the HTTP API served over real HTTP on loopback (the routes both hosts map), as people reach them.</summary>
internal sealed class ApprovalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private ApprovalServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl };
    }

    public Uri BaseUrl { get; }

    public static async Task<ApprovalServer> StartAsync(WorkflowHarness harness)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var runs = new CloneRuns(harness.Client, harness.Configuration);
        var pages = new ApprovalPages(runs, harness.Tokens, harness.Recorder, harness.Artifacts, new GateInputChecks(harness.Services));
        var api = new CloneApi(runs, harness.Artifacts, harness.Configuration);
        app.MapApprovalPages(() => Task.FromResult(pages));
        app.MapCloneApi(() => api);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApprovalServer(app, new Uri(address + "/"));
    }

    /// <summary>The approver's link from the recorded notification, pointed at this server.</summary>
    public Uri LinkFor(WorkflowHarness harness, string gate, string approver)
    {
        var link = harness.Notifier.Sent
            .Where(n => n.Notification.Gate == gate)
            .SelectMany(n => n.Recipients)
            .Last(r => r.Address == approver && r.ApprovalLink is not null).ApprovalLink!;
        return new Uri(BaseUrl, link.PathAndQuery.TrimStart('/'));
    }

    /// <summary>
    /// The newest link the run sent the approver for the gate's round, pointed at this server; null until
    /// it is sent.
    /// </summary>
    public Uri? LinkFor(WorkflowHarness harness, string runId, WaitingGate gate)
    {
        var link = harness.Notifier.Sent
            .Where(n => n.Notification.RunId == runId && n.Notification.Gate == gate.Gate && n.Notification.Round == gate.Round)
            .SelectMany(n => n.Recipients)
            .LastOrDefault(r => r.Address == WorkflowHarness.Approver && r.ApprovalLink is not null)?.ApprovalLink;
        return link is null ? null : new Uri(BaseUrl, link.PathAndQuery.TrimStart('/'));
    }

    /// <summary><c>GET /api/clones/{id}</c> as JSON.</summary>
    public async Task<System.Text.Json.JsonElement> GetRunAsync(string runId)
    {
        using var response = await _http.GetAsync(new Uri($"api/clones/{runId}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary><c>POST /api/clones/{id}/cancel</c>; the HTTP status.</summary>
    public async Task<System.Net.HttpStatusCode> CancelAsync(string runId) => (await CancelProblemAsync(runId)).Status;

    /// <summary><c>POST /api/clones/{id}/cancel</c>; the HTTP status and the problem's detail when refused.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Detail)> CancelProblemAsync(string runId)
    {
        using var response = await _http.PostAsync(new Uri($"api/clones/{runId}/cancel", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        var detail = body.StartsWith('{') && System.Text.Json.JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? string.Empty : string.Empty;
        return (response.StatusCode, detail);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
