using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace CloneFlow.Core.Tests.Support;

/// <summary>A real HTTP server on 127.0.0.1 (a free port) that records every request and answers from a script.</summary>
internal sealed class LocalHttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();

    private LocalHttpReceiver(WebApplication app) => _app = app;

    /// <summary>The server's base URL, ending in a slash.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The requests received, in order.</summary>
    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <summary>The answer when the script is used up.</summary>
    public ScriptedResponse Default { get; set; } = new(HttpStatusCode.Accepted);

    public static async Task<LocalHttpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new LocalHttpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>Answers the next requests with these responses, in order.</summary>
    public void Respond(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        _received.Enqueue(new ReceivedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
            context.Request.QueryString.Value ?? string.Empty,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body));
        var response = _script.TryDequeue(out var next) ? next : Default;
        if (response.Delay is { } delay)
        {
            await Task.Delay(delay, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        context.Response.StatusCode = (int)response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedRequest(string Method, string Path, string RawTarget, string Query, IReadOnlyDictionary<string, string> Headers, string Body);

internal sealed record ScriptedResponse(HttpStatusCode Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan? Delay = null);
