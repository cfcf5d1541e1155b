namespace CloneFlow.Simulator.Faults;

/// <summary>OAuth access and refresh tokens issued by one instance, with expiry on the simulator clock.</summary>
internal sealed class TokenStore
{
    private readonly Dictionary<string, (string User, DateTimeOffset Expires)> _access = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string User, string ClientId, DateTimeOffset Expires)> _refresh = new(StringComparer.Ordinal);

    public void AddAccess(string token, string user, DateTimeOffset expires)
    {
        lock (_access)
        {
            _access[token] = (user, expires);
        }
    }

    public void AddRefresh(string token, string user, string clientId, DateTimeOffset expires)
    {
        lock (_access)
        {
            _refresh[token] = (user, clientId, expires);
        }
    }

    /// <summary>The user of a valid access token, or null (unknown or expired).</summary>
    public string? UserOfAccess(string token, DateTimeOffset now)
    {
        lock (_access)
        {
            return _access.TryGetValue(token, out var entry) && entry.Expires > now ? entry.User : null;
        }
    }

    public string? UserOfRefresh(string token, string clientId, DateTimeOffset now)
    {
        lock (_access)
        {
            return _refresh.TryGetValue(token, out var entry) && entry.Expires > now && entry.ClientId == clientId ? entry.User : null;
        }
    }

    public void Clear()
    {
        lock (_access)
        {
            _access.Clear();
            _refresh.Clear();
        }
    }
}
