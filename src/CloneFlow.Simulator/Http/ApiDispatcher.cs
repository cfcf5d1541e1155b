using System.Globalization;

namespace CloneFlow.Simulator.Http;

/// <summary>Routes an API call (from HTTP or a batch) through OAuth, authentication, rate limits and the APIs.</summary>
internal sealed class ApiDispatcher
{
    private readonly SimulatedInstance _instance;
    private readonly Authenticator _authenticator;
    private readonly OAuthEndpoint _oauth;
    private readonly TableApi _tables;
    private readonly CicdApi _cicd;
    private readonly BatchApi _batch;

    public ApiDispatcher(SimulatedInstance instance)
    {
        _instance = instance;
        _authenticator = new Authenticator(instance);
        _oauth = new OAuthEndpoint(instance);
        _tables = new TableApi(instance);
        _cicd = new CicdApi(instance);
        _batch = new BatchApi(Route);
    }

    public SimResponse Dispatch(SimRequest request)
    {
        if (request.Path.Equals("/oauth_token.do", StringComparison.OrdinalIgnoreCase))
        {
            return _oauth.Handle(request);
        }

        var user = _authenticator.Authenticate(request.Authorization);
        if (user is null)
        {
            return Json.NotAuthenticated();
        }

        var now = _instance.Clock.UtcNow;
        if (_instance.RateLimiter.Refuse(user.UserName, now) is { } reset)
        {
            var retryAfter = _instance.World.RetryAfterSeconds(reset - now);
            return Json.Error(429, "Rate limit exceeded",
                    $"User {user.UserName} exceeded {_instance.RateLimitPerHour} requests per hour (rule 'Simulator per-user limit'); retry after {retryAfter} seconds.")
                .With("Retry-After", retryAfter.ToString(CultureInfo.InvariantCulture))
                .With("X-RateLimit-Limit", _instance.RateLimitPerHour.ToString(CultureInfo.InvariantCulture))
                .With("X-RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
                .With("X-RateLimit-Rule", Faults.RateLimiter.RuleSysId);
        }

        if (request.Path.Equals("/api/now/v1/batch", StringComparison.Ordinal) || request.Path.Equals("/api/now/batch", StringComparison.Ordinal))
        {
            return _batch.Handle(request, user);
        }

        return Route(request, user) ?? Json.NoResource();
    }

    /// <summary>The authenticated APIs; null when no API serves the path.</summary>
    private SimResponse? Route(SimRequest request, Principal user) =>
        _tables.TryHandle(request, user) ?? _cicd.TryHandle(request, user);
}
