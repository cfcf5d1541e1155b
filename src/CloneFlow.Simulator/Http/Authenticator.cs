using System.Text;

namespace CloneFlow.Simulator.Http;

/// <summary>Basic and bearer authentication against the instance's <c>sys_user</c> rows and issued tokens.</summary>
internal sealed class Authenticator(SimulatedInstance instance)
{
    public Principal? Authenticate(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return null;
        }

        string? userName;
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return null;
            }

            userName = decoded[..colon];
            var password = decoded[(colon + 1)..];
            lock (instance.Gate)
            {
                var user = instance.FindUser(userName);
                if (user is null || user.GetValueOrDefault("user_password") != password || user.GetValueOrDefault("locked_out") == "true")
                {
                    return null;
                }

                return new Principal(userName, user["sys_id"], instance.RolesOf(user["sys_id"]));
            }
        }

        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            userName = instance.Tokens.UserOfAccess(authorization[7..].Trim(), instance.Clock.UtcNow);
            if (userName is null)
            {
                return null;
            }

            lock (instance.Gate)
            {
                var user = instance.FindUser(userName);
                return user is null ? null : new Principal(userName, user["sys_id"], instance.RolesOf(user["sys_id"]));
            }
        }

        return null;
    }
}
