using CloneFlow.Core.Configuration;
using Cronos;

namespace CloneFlow.Core.Runs;

/// <summary>A refresh that became due.</summary>
/// <param name="Target">The target.</param>
/// <param name="DueAt">The schedule's occurrence (UTC).</param>
/// <param name="RunId"><c>refresh-{target}-{yyyyMM}</c> of the occurrence's month in the target's time zone: a timer that fires twice maps to the same run.</param>
public sealed record DueRefresh(string Target, DateTimeOffset DueAt, string RunId);

/// <summary>
/// Decides which targets' monthly refreshes fall due in a timer window, by each target's cron
/// expression in its own time zone (daylight-saving gaps and overlaps handled as Cronos does: a time
/// that does not exist runs at the end of the gap, a repeated time runs once).
/// </summary>
public static class RefreshSchedule
{
    /// <summary>Refreshes whose occurrence lies in (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    public static IReadOnlyList<DueRefresh> Due(CloneFlowConfiguration configuration, DateTimeOffset after, DateTimeOffset upTo)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var due = new List<DueRefresh>();
        foreach (var (name, target) in configuration.Targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (target.Schedule is not { } schedule)
            {
                continue;
            }

            var cron = CronExpression.Parse(schedule.Cron);
            var zone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
            var next = cron.GetNextOccurrence(after, zone, inclusive: false);
            if (next is { } occurrence && occurrence <= upTo)
            {
                var local = TimeZoneInfo.ConvertTime(occurrence, zone);
                due.Add(new DueRefresh(name, occurrence.ToUniversalTime(), $"refresh-{name}-{local:yyyyMM}"));
            }
        }

        return due;
    }
}
