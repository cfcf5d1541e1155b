using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Simulator.Tests;

/// <summary>Starts a simulator for one test and talks to it over plain HTTP (no client code from Core).</summary>
internal sealed class Sim : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private Sim(SimulatorHost host) => Host = host;

    public SimulatorHost Host { get; }

    /// <summary>Starts prod, test and dev with a stopped clock (tests move it) and a small seeded estate.</summary>
    public static async Task<Sim> StartAsync(Action<SimulatorOptions>? configure = null, int? seed = 7)
    {
        var options = new SimulatorOptions
        {
            Seed = seed,
            ClockAcceleration = 0,
            Estate = new EstateOptions { LargePayloads = 0, UpdatesPerSet = 3 },
        };
        configure?.Invoke(options);
        return new Sim(await SimulatorHost.StartAsync(options, CancellationToken.None));
    }

    public SimulatedInstance this[string name] => Host[name];

    public HttpClient Client(string instance, string? user = "admin", string? password = "admin")
    {
        var client = new HttpClient { BaseAddress = Host.Instances[instance], Timeout = TimeSpan.FromSeconds(30) };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _clients.Add(client);
        return client;
    }

    /// <summary>Moves the simulated clock and lets clones and CI/CD jobs catch up.</summary>
    public void Advance(TimeSpan delta)
    {
        Host.Clock.Advance(delta);
        Host.Tick();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Host.DisposeAsync();
    }
}

/// <summary>JSON helpers for the tests.</summary>
internal static class HttpJson
{
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(this HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response, json);
    }

    public static Task<(HttpResponseMessage Response, JsonElement Body)> GetAsync2(this HttpClient client, string url) => client.SendAsync(HttpMethod.Get, url);

    public static Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync2(this HttpClient client, string url, object? body = null) =>
        client.SendAsync(HttpMethod.Post, url, body ?? new { });

    public static Task<(HttpResponseMessage Response, JsonElement Body)> PatchAsync2(this HttpClient client, string url, object body) =>
        client.SendAsync(HttpMethod.Patch, url, body);

    public static JsonElement[] Result(this JsonElement body) => [.. body.GetProperty("result").EnumerateArray()];

    public static string Str(this JsonElement element, string property) =>
        element.GetProperty(property) is { ValueKind: JsonValueKind.Object } inner ? inner.GetProperty("value").GetString()! : element.GetProperty(property).GetString()!;

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    /// <summary>Polls a CI/CD progress URL, advancing the clock, until the job is finished; returns the final progress result.</summary>
    public static async Task<JsonElement> CompleteAsync(this Sim sim, HttpClient client, JsonElement started)
    {
        var url = started.GetProperty("result").GetProperty("links").GetProperty("progress").GetProperty("url").GetString()!;
        for (var i = 0; i < 100; i++)
        {
            var (_, body) = await client.GetAsync2(url);
            var status = body.GetProperty("result").GetProperty("status").GetString();
            if (status is "2" or "3" or "4")
            {
                return body.GetProperty("result");
            }

            sim.Advance(TimeSpan.FromSeconds(10));
        }

        throw new TimeoutException("CI/CD job did not finish");
    }
}
