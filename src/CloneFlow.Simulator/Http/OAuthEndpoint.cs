using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace CloneFlow.Simulator.Http;

/// <summary><c>POST /oauth_token.do</c>: password, client_credentials and refresh_token grants.</summary>
internal sealed class OAuthEndpoint(SimulatedInstance instance)
{
    public SimResponse Handle(SimRequest request)
    {
        if (request.Method != "POST")
        {
            return Json.OAuthError(400, "invalid_request", "Use POST with a form body");
        }

        var form = QueryHelpers.ParseQuery(Json.Utf8(request.Body));
        string Field(string name) => form.TryGetValue(name, out var values) ? values.ToString() : string.Empty;

        var grant = Field("grant_type");
        var clientId = Field("client_id");
        var now = instance.Clock.UtcNow;
        string? user;
        lock (instance.Gate)
        {
            var client = instance.Data("oauth_entity").Rows()
                .FirstOrDefault(e => e.GetValueOrDefault("client_id") == clientId && e.GetValueOrDefault("active") == "true");
            if (client is null || client.GetValueOrDefault("client_secret") != Field("client_secret"))
            {
                return AccessDenied();
            }

            switch (grant)
            {
                case "password":
                    var account = instance.FindUser(Field("username"));
                    if (!instance.PasswordGrantEnabled || account is null || account.GetValueOrDefault("user_password") != Field("password"))
                    {
                        return AccessDenied();
                    }

                    user = account["user_name"];
                    break;
                case "client_credentials":
                    if (instance.GetPropertyCore(SimulatedInstance.ClientCredentialsProperty) != "true")
                    {
                        return AccessDenied();
                    }

                    user = instance.Data("sys_user").Get(client.GetValueOrDefault("user") ?? string.Empty)?.GetValueOrDefault("user_name");
                    if (user is null)
                    {
                        return AccessDenied();
                    }

                    break;
                case "refresh_token":
                    user = instance.Tokens.UserOfRefresh(Field("refresh_token"), clientId, now);
                    if (user is null)
                    {
                        return AccessDenied();
                    }

                    break;
                default:
                    return Json.OAuthError(400, "unsupported_grant_type", $"grant_type '{grant}' is not supported");
            }
        }

        var access = NewToken();
        var refresh = NewToken();
        var options = instance.World.Options;
        instance.Tokens.AddAccess(access, user, now + options.AccessTokenLifetime);
        instance.Tokens.AddRefresh(refresh, user, clientId, now + options.RefreshTokenLifetime);
        return new SimResponse(200, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["access_token"] = access,
            ["refresh_token"] = refresh,
            ["scope"] = "useraccount",
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)options.AccessTokenLifetime.TotalSeconds,
        }));
    }

    private static SimResponse AccessDenied() => Json.OAuthError(401, "server_error", "access_denied");

    private static string NewToken() => Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(48));
}
