using CloneFlow.Core.Http;
using CloneFlow.Core.Runs;
using CloneFlow.IntegrationTests.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloneFlow.IntegrationTests.Http;

/// <summary>The approval page served over real HTTP on loopback (the routes both hosts map), for page and browser tests.</summary>
internal sealed class ApprovalServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApprovalServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<ApprovalServer> StartAsync(WorkflowHarness harness)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapApprovalPages(() => Task.FromResult(new ApprovalPages(new CloneRuns(harness.Client, harness.Configuration), harness.Tokens, harness.Recorder, harness.Artifacts)));
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
