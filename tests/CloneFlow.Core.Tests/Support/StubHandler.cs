using System.Net;
using System.Text;

namespace CloneFlow.Core.Tests.Support;

/// <summary>An HTTP transport that answers from a script and records what it was sent (unit tests of the client pipeline only).</summary>
public sealed class StubHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _answer;
    private readonly List<(HttpMethod Method, string Url, string? Authorization, string? Body)> _requests = [];

    public StubHandler(Func<HttpRequestMessage, int, HttpResponseMessage> answer)
    {
        _answer = answer;
    }

    public IReadOnlyList<(HttpMethod Method, string Url, string? Authorization, string? Body)> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        int index;
        lock (_requests)
        {
            _requests.Add((request.Method, request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), body));
            index = _requests.Count - 1;
        }

        var response = _answer(request, index);
        response.RequestMessage = request;
        return response;
    }
}
