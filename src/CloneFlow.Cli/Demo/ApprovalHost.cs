using CloneFlow.Core.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Cli.Demo;

/// <summary>
/// Serves the approval page (<c>GET|POST /api/approvals/{token}</c>) on loopback with Kestrel, as the
/// Functions app does. The pages are bound once the environment behind them is up.
/// </summary>
internal sealed class ApprovalHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<Func<ApprovalPages>> _pages = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ApprovalHost(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public static async Task<ApprovalHost> StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var host = new ApprovalHost(app);
        app.MapApprovalPages(async () => (await host._pages.Task)());
        await app.StartAsync(cancellationToken);
        host.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return host;
    }

    public void Bind(Func<ApprovalPages> pages) => _pages.TrySetResult(pages);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
