using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runs;

namespace CloneFlow.Core.Tests.Runs;

public class RefreshScheduleTests
{
    [Fact]
    public void A_monthly_schedule_is_due_once_in_its_window_with_the_months_run_id()
    {
        var configuration = With("0 2 1 * *", "Europe/Amsterdam");
        // 02:00 Amsterdam on 1 March 2027 is 01:00 UTC (winter time).
        var due = RefreshSchedule.Due(configuration, At("2027-03-01T00:50:00Z"), At("2027-03-01T01:05:00Z"));

        var refresh = Assert.Single(due);
        Assert.Equal(At("2027-03-01T01:00:00Z"), refresh.DueAt);
        Assert.Equal("refresh-test-202703", refresh.RunId);
        Assert.Empty(RefreshSchedule.Due(configuration, At("2027-03-01T01:05:00Z"), At("2027-03-01T01:20:00Z")));
    }

    [Fact]
    public void A_timer_that_fires_twice_over_the_same_window_maps_to_the_same_run()
    {
        var configuration = With("0 2 1 * *", "Europe/Amsterdam");

        var first = RefreshSchedule.Due(configuration, At("2027-03-01T00:50:00Z"), At("2027-03-01T01:05:00Z"));
        var again = RefreshSchedule.Due(configuration, At("2027-03-01T00:55:00Z"), At("2027-03-01T01:10:00Z"));

        Assert.Equal(first.Single().RunId, again.Single().RunId);
    }

    [Fact]
    public void Summer_time_moves_the_utc_moment_and_a_time_lost_to_the_spring_gap_still_runs()
    {
        var summer = With("0 2 1 * *", "Europe/Amsterdam");
        var july = RefreshSchedule.Due(summer, At("2027-06-30T23:50:00Z"), At("2027-07-01T00:05:00Z"));
        Assert.Equal(At("2027-07-01T00:00:00Z"), Assert.Single(july).DueAt);

        // 28 March 2027: clocks jump from 02:00 to 03:00 in Amsterdam; a 02:30 schedule still fires that day.
        var gap = With("30 2 28 3 *", "Europe/Amsterdam");
        var due = Assert.Single(RefreshSchedule.Due(gap, At("2027-03-28T00:00:00Z"), At("2027-03-28T02:00:00Z")));
        Assert.Equal("refresh-test-202703", due.RunId);
    }

    [Fact]
    public void The_run_id_uses_the_month_in_the_targets_time_zone_at_a_month_end()
    {
        // 00:30 on 1 April in Auckland is still 31 March in UTC.
        var configuration = With("30 0 1 * *", "Pacific/Auckland");

        var due = Assert.Single(RefreshSchedule.Due(configuration, At("2027-03-31T10:00:00Z"), At("2027-03-31T12:00:00Z")));

        Assert.Equal("refresh-test-202704", due.RunId);
        Assert.Equal(3, due.DueAt.UtcDateTime.Month);
    }

    [Fact]
    public void Targets_without_a_schedule_are_never_due()
    {
        var configuration = new CloneFlowConfiguration { Targets = new Dictionary<string, TargetConfiguration> { ["test"] = new() } };

        Assert.Empty(RefreshSchedule.Due(configuration, At("2027-01-01T00:00:00Z"), At("2028-01-01T00:00:00Z")));
    }

    private static CloneFlowConfiguration With(string cron, string zone) => new()
    {
        Targets = new Dictionary<string, TargetConfiguration> { ["test"] = new() { Schedule = new ScheduleConfiguration { Cron = cron, TimeZone = zone } } },
    };

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
