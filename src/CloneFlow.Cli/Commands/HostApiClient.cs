using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CloneFlow.Core.Runs;

namespace CloneFlow.Cli.Commands;

/// <summary>A failed call to a CloneFlow host, with the problem+json detail it answered.</summary>
internal sealed class HostApiException(string message, HttpStatusCode? status = null, JsonElement? problem = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    public JsonElement? Problem { get; } = problem;
}

/// <summary>One of a run's blobs as the API lists it.</summary>
internal sealed record ArtifactView(string Name, long Bytes, bool Verified);

/// <summary>One run as <c>GET /api/clones/{id}</c> describes it.</summary>
internal sealed record RunView(string RunId, string RuntimeStatus, RunStatus? Status, CloneRunResult? Result, IReadOnlyList<ArtifactView>? Artifacts = null)
{
    /// <summary>How many exports are written and verified so far.</summary>
    public int VerifiedExports => Artifacts?.Count(a => a.Verified && a.Name.Contains("/exports/", StringComparison.Ordinal)) ?? 0;

    public bool IsCompleted => RuntimeStatus is "Completed" or "Failed" or "Terminated";
}

/// <summary>The CLI's client of the HTTP API a CloneFlow host serves (the local host or the Functions app).</summary>
internal sealed class HostApiClient(Uri baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseUrl => baseUrl;

    /// <summary>True when a host answers its health probe.</summary>
    public async Task<bool> IsUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, probe.Token);
            using var response = await _http.GetAsync(new Uri("api/health", UriKind.Relative), linked.Token);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Starts a run; a busy target throws with status 409 and the running id in the problem.</summary>
    public async Task<string> StartAsync(string target, bool dryRun, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, "api/clones", JsonContent.Create(new { target, dryRun }), cancellationToken);
        return body.GetProperty("runId").GetString()!;
    }

    public async Task<RunView> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, $"api/clones/{Uri.EscapeDataString(runId)}", null, cancellationToken);
        return body.Deserialize<RunView>(JsonSerializerOptions.Web)!;
    }

    public Task<JsonElement> ListAsync(CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, "api/clones", null, cancellationToken);

    public Task<JsonElement> CancelAsync(string runId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/clones/{Uri.EscapeDataString(runId)}/cancel", null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new HostApiException($"no CloneFlow host answers at {baseUrl} ({ex.Message}); start one with `cloneflow serve --config <file>` or name another with --server");
        }

        using (response)
        {
            var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
            var json = isJson ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken) : default;
            if (response.IsSuccessStatusCode)
            {
                return json;
            }

            var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() : response.ReasonPhrase;
            throw new HostApiException($"{(int)response.StatusCode} {detail}", response.StatusCode, json.ValueKind == JsonValueKind.Object ? json : null);
        }
    }
}
