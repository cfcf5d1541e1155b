namespace CloneFlow.Core.ServiceNow;

/// <summary>How CloneFlow signs in to an instance: basic auth or one of ServiceNow's OAuth grants.</summary>
public abstract record ServiceNowCredential
{
    private protected ServiceNowCredential()
    {
    }

    /// <summary>Basic auth with a (preferably web-service-only) user.</summary>
    public static ServiceNowCredential Basic(string userName, string password) => new BasicCredential(userName, password);

    /// <summary>OAuth password grant: an OAuth client plus a user (often disabled by hardening).</summary>
    public static ServiceNowCredential OAuthPassword(string clientId, string clientSecret, string userName, string password) =>
        new OAuthPasswordCredential(clientId, clientSecret, userName, password);

    /// <summary>OAuth client-credentials grant (Washington DC and later, when the instance enables it).</summary>
    public static ServiceNowCredential OAuthClientCredentials(string clientId, string clientSecret) =>
        new OAuthClientCredentialsCredential(clientId, clientSecret);

    /// <summary>Never prints a secret.</summary>
    public abstract override string ToString();
}

/// <summary>Basic auth.</summary>
public sealed record BasicCredential(string UserName, string Password) : ServiceNowCredential
{
    /// <inheritdoc />
    public override string ToString() => $"basic ({UserName})";
}

/// <summary>OAuth password grant.</summary>
public sealed record OAuthPasswordCredential(string ClientId, string ClientSecret, string UserName, string Password) : ServiceNowCredential
{
    /// <inheritdoc />
    public override string ToString() => $"oauth password ({ClientId}, {UserName})";
}

/// <summary>OAuth client-credentials grant.</summary>
public sealed record OAuthClientCredentialsCredential(string ClientId, string ClientSecret) : ServiceNowCredential
{
    /// <inheritdoc />
    public override string ToString() => $"oauth client credentials ({ClientId})";
}
