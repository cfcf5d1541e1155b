using System.Net;
using System.Text.Json;

namespace CloneFlow.Core.ServiceNow.Auth;

/// <summary>
/// Gets and caches OAuth access tokens from an instance's <c>/oauth_token.do</c>: the configured
/// grant first, the refresh-token grant while a refresh token lasts, a new grant when refresh fails.
/// </summary>
internal sealed class OAuthTokenProvider : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _tokenEndpoint;
    private readonly ServiceNowCredential _credential;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshMargin;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _accessToken;
    private string? _refreshToken;
    private DateTimeOffset _expiresAt;

    public OAuthTokenProvider(HttpClient http, Uri endpoint, ServiceNowCredential credential, TimeProvider time, TimeSpan refreshMargin)
    {
        _http = http;
        _tokenEndpoint = new Uri(endpoint, "/oauth_token.do");
        _credential = credential;
        _time = time;
        _refreshMargin = refreshMargin;
    }

    /// <summary>A valid access token, fetched or refreshed as needed.</summary>
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_accessToken is { } cached && _time.GetUtcNow() < _expiresAt - _refreshMargin)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_accessToken is { } fresh && _time.GetUtcNow() < _expiresAt - _refreshMargin)
            {
                return fresh;
            }

            if (_refreshToken is { } refresh)
            {
                try
                {
                    return await RequestAsync(RefreshForm(refresh), cancellationToken);
                }
                catch (ServiceNowException ex) when (ex.Status is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest)
                {
                    // Refresh tokens expire or get revoked; the configured grant still works.
                    _refreshToken = null;
                }
            }

            return await RequestAsync(GrantForm(), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Forgets the cached token after the instance refused it.</summary>
    public void Invalidate(string token)
    {
        if (_accessToken == token)
        {
            _accessToken = null;
        }
    }

    private async Task<string> RequestAsync(IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await _http.PostAsync(_tokenEndpoint, content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new ServiceNowException(response.StatusCode, $"the OAuth token request was refused ({OAuthError(body)})", null, null, $"POST {_tokenEndpoint.GetLeftPart(UriPartial.Path)} ({_credential})");
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var token = root.TryGetProperty("access_token", out var access) ? access.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            throw new ServiceNowException(response.StatusCode, "the OAuth answer has no access_token", null, null, $"POST {_tokenEndpoint.GetLeftPart(UriPartial.Path)}");
        }

        var lifetime = root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) ? seconds : 1799;
        _accessToken = token;
        _refreshToken = root.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : _refreshToken;
        _expiresAt = _time.GetUtcNow().AddSeconds(lifetime);
        return token;
    }

    private static string OAuthError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            var description = root.TryGetProperty("error_description", out var d) ? d.GetString() : null;
            return string.Join(": ", new[] { error, description }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } text ? text : "no reason given";
        }
        catch (JsonException)
        {
            return "no reason given";
        }
    }

    private List<KeyValuePair<string, string>> GrantForm() => _credential switch
    {
        OAuthPasswordCredential p =>
        [
            new("grant_type", "password"), new("client_id", p.ClientId), new("client_secret", p.ClientSecret),
            new("username", p.UserName), new("password", p.Password),
        ],
        OAuthClientCredentialsCredential c =>
        [
            new("grant_type", "client_credentials"), new("client_id", c.ClientId), new("client_secret", c.ClientSecret),
        ],
        _ => throw new InvalidOperationException($"{_credential} is not an OAuth credential."),
    };

    private List<KeyValuePair<string, string>> RefreshForm(string refreshToken)
    {
        var (clientId, clientSecret) = _credential switch
        {
            OAuthPasswordCredential p => (p.ClientId, p.ClientSecret),
            OAuthClientCredentialsCredential c => (c.ClientId, c.ClientSecret),
            _ => throw new InvalidOperationException($"{_credential} is not an OAuth credential."),
        };
        return [new("grant_type", "refresh_token"), new("client_id", clientId), new("client_secret", clientSecret), new("refresh_token", refreshToken)];
    }
}
