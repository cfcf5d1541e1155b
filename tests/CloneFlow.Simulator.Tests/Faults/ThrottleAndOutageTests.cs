using System.Net;
using System.Text;
using CloneFlow.Simulator.Faults;

namespace CloneFlow.Simulator.Tests;

/// <summary>The fault surface the drills drive: 429 storms with Retry-After and 503 outages on an instance.</summary>
public sealed class ThrottleAndOutageTests
{
    [Fact]
    public async Task A_throttle_storm_answers_429_with_the_configured_retry_after_at_the_configured_rate()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        sim["test"].Faults = new FaultSettings { ThrottleRate = 0.5, RetryAfterSeconds = 3 };
        var client = sim.Client("test");
        var throttled = 0;
        for (var i = 0; i < 200; i++)
        {
            var (response, body) = await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
            if (response.StatusCode == (HttpStatusCode)429)
            {
                throttled++;
                Assert.Equal("3", response.Header("Retry-After"));
                Assert.Equal("failure", body.GetProperty("status").GetString());
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        Assert.InRange(throttled, 60, 140);
    }

    [Fact]
    public async Task An_outage_answers_503_with_retry_after_until_it_ends_by_itself()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        sim["test"].Faults = new FaultSettings { RetryAfterSeconds = 2, ErrorRate = 0 };
        sim["test"].BeginOutage(TimeSpan.FromMilliseconds(600));

        var (down, body) = await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("2", down.Header("Retry-After"));
        Assert.Equal("failure", body.GetProperty("status").GetString());
        // Other faults are kept; the control surface stays up.
        Assert.Equal(2, sim["test"].Faults.RetryAfterSeconds);
        using var control = new HttpClient { BaseAddress = sim.Host.Instances["test"] };
        Assert.Equal(HttpStatusCode.OK, (await control.GetAsync(new Uri("_simulator/", UriKind.Relative))).StatusCode);

        await Task.Delay(700);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1")).Response.StatusCode);
    }

    [Fact]
    public async Task An_outage_without_a_duration_lasts_until_it_is_cleared_over_http_too()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        using var control = new HttpClient { BaseAddress = sim.Host.Instances["test"] };
        using (var begin = new StringContent("{}", Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, (await control.PostAsync(new Uri("_simulator/outage", UriKind.Relative), begin)).StatusCode);
        }

        Assert.Equal(DateTimeOffset.MaxValue, sim["test"].Faults.UnavailableUntil);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync2("api/now/v2/table/sys_properties")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sim.Client("dev").GetAsync2("api/now/v2/table/sys_properties")).Response.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await control.DeleteAsync(new Uri("_simulator/outage", UriKind.Relative))).StatusCode);
        Assert.Null(sim["test"].Faults.UnavailableUntil);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync2("api/now/v2/table/sys_properties")).Response.StatusCode);

        using (var timed = new StringContent("{\"seconds\":30}", Encoding.UTF8, "application/json"))
        {
            await control.PostAsync(new Uri("_simulator/outage", UriKind.Relative), timed);
        }

        Assert.InRange(sim["test"].Faults.UnavailableUntil!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31));
    }
}
