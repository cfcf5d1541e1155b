using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Faults;

/// <summary>A per-user limit of calls per simulated hour (a fixed window starting on the hour), like a <c>sys_rate_limit_rules</c> rule.</summary>
internal sealed class RateLimiter(SimulatedInstance instance)
{
    public static readonly string RuleSysId = SysIds.Stable("sys_rate_limit_rules:simulator");

    private readonly Dictionary<string, (DateTimeOffset Window, int Count)> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts a call; returns the end of the window when the call is refused, else null.</summary>
    public DateTimeOffset? Refuse(string user, DateTimeOffset now)
    {
        var limit = instance.RateLimitPerHour;
        if (limit <= 0)
        {
            return null;
        }

        var window = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        lock (_counts)
        {
            var (current, count) = _counts.GetValueOrDefault(user);
            if (current != window)
            {
                count = 0;
            }

            if (count >= limit)
            {
                _counts[user] = (window, count);
                return window.AddHours(1);
            }

            _counts[user] = (window, count + 1);
            return null;
        }
    }
}
