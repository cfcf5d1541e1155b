using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace CloneFlow.Core.ServiceNow.Auth;

/// <summary>Signs every request with the instance's credential; a refused bearer token is renewed once.</summary>
internal sealed class ServiceNowAuthHandler : DelegatingHandler
{
    private readonly ServiceNowCredential _credential;
    private readonly OAuthTokenProvider? _tokens;

    public ServiceNowAuthHandler(ServiceNowCredential credential, OAuthTokenProvider? tokens, HttpMessageHandler inner)
        : base(inner)
    {
        _credential = credential;
        _tokens = tokens;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_credential is BasicCredential basic)
        {
            var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.UserName}:{basic.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", pair);
            return await base.SendAsync(request, cancellationToken);
        }

        var token = await _tokens!.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Tokens can be revoked or expire early (instance restart after a clone): renew once.
        response.Dispose();
        _tokens.Invalidate(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetTokenAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}
