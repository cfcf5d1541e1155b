using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace CloneFlow.Simulator.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task The_rate_limit_answers_429_with_retry_after_and_rate_limit_headers_until_the_hour_turns()
    {
        await using var sim = await Sim.StartAsync(o => o.RateLimitPerHour = 3, seed: null);
        var client = sim.Client("test");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1")).Response.StatusCode);
        }

        var (limited, body) = await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal("failure", body.GetProperty("status").GetString());
        var now = sim.Host.Clock.UtcNow;
        var reset = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
        Assert.Equal(((int)Math.Ceiling((reset - now).TotalSeconds)).ToString(CultureInfo.InvariantCulture), limited.Header("Retry-After"));
        Assert.Equal("3", limited.Header("X-RateLimit-Limit"));
        Assert.Equal(reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), limited.Header("X-RateLimit-Reset"));
        var rule = limited.Header("X-RateLimit-Rule");
        Assert.NotNull(sim["test"].GetRecord("sys_rate_limit_rules", rule));

        // Another user has their own count; a new hour resets it.
        sim["test"].AddUser("other", "pw", "admin");
        Assert.Equal(HttpStatusCode.OK, (await sim.Client("test", "other", "pw").GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1")).Response.StatusCode);
        sim.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1")).Response.StatusCode);
    }

    [Fact]
    public async Task Injected_5xx_answers_use_the_ServiceNow_error_shape_and_follow_the_error_rate()
    {
        await using var sim = await Sim.StartAsync(o => o.ErrorRate = 0.5, seed: null);
        var client = sim.Client("test");
        var failures = 0;
        for (var i = 0; i < 200; i++)
        {
            var (response, body) = await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
            if (response.StatusCode == HttpStatusCode.InternalServerError)
            {
                failures++;
                Assert.Equal("failure", body.GetProperty("status").GetString());
            }
        }

        Assert.InRange(failures, 60, 140);
    }

    [Fact]
    public async Task FailNextCalls_fails_exactly_that_many_calls()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        sim["test"].Faults = new Faults.FaultSettings { FailNextCalls = 2 };
        var client = sim.Client("test");
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync2("api/now/v2/table/sys_properties")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync2("api/now/v2/table/sys_properties")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync2("api/now/v2/table/sys_properties")).Response.StatusCode);
    }

    [Fact]
    public async Task Dropped_connections_abort_without_an_answer()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        sim["test"].Faults = new Faults.FaultSettings { DropConnectionRate = 1 };
        await Assert.ThrowsAsync<HttpRequestException>(() => sim.Client("test").GetAsync2("api/now/v2/table/sys_properties"));
    }

    [Fact]
    public async Task Latency_and_slow_answers_delay_the_call()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        sim["test"].Faults = new Faults.FaultSettings { LatencyMs = 150, SlowResponseRate = 1, SlowResponseMs = 150 };
        var watch = Stopwatch.StartNew();
        var (response, _) = await sim.Client("test").GetAsync2("api/now/v2/table/sys_properties");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 290, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task With_latency_a_failed_read_answers_its_fault_and_a_failed_write_changes_nothing()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        var client = sim.Client("test");
        sim["test"].Faults = new Faults.FaultSettings { LatencyMs = 50, FailNextCalls = 2 };

        var (read, readBody) = await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
        var (write, _) = await client.PostAsync2("api/now/v2/table/incident", new { short_description = "stopped by a fault" });

        Assert.Equal(HttpStatusCode.InternalServerError, read.StatusCode);
        Assert.Equal("failure", readBody.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.InternalServerError, write.StatusCode);
        var (after, afterBody) = await client.GetAsync2("api/now/v2/table/incident?sysparm_query=short_description=stopped by a fault");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Empty(afterBody.Result());
    }

    [Fact]
    public async Task The_http_control_surface_inspects_seeds_sets_faults_and_moves_the_clock()
    {
        await using var sim = await Sim.StartAsync(seed: null);
        using var control = new HttpClient { BaseAddress = sim.Host.Instances["dev"] };
        using var json = new StringContent("{\"number\":\"INC42\",\"short_description\":\"seeded\"}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await control.PostAsync(new Uri("_simulator/tables/incident", UriKind.Relative), json)).StatusCode);
        var inspect = await control.GetStringAsync(new Uri("_simulator/tables/incident?sysparm_query=number=INC42", UriKind.Relative));
        Assert.Contains("seeded", inspect, StringComparison.Ordinal);

        using var faults = new StringContent("{\"fail_next_calls\":1}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await control.PutAsync(new Uri("_simulator/faults", UriKind.Relative), faults)).StatusCode);
        Assert.Equal(1, sim["dev"].Faults.FailNextCalls);

        var before = sim.Host.Clock.UtcNow;
        using var advance = new StringContent("{\"seconds\":3600}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await control.PostAsync(new Uri("_simulator/clock/advance", UriKind.Relative), advance)).StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), sim.Host.Clock.UtcNow - before);

        using var seed = new StringContent("{\"seed\":3}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await control.PostAsync(new Uri("_simulator/seed", UriKind.Relative), seed)).StatusCode);
        Assert.True(sim["dev"].GetRecords("sys_update_set", "state=in progress^is_default=false").Count >= 2);
        Assert.Empty(sim["dev"].GetRecords("incident"));
    }

    [Fact]
    public async Task The_clock_accelerates_real_time()
    {
        await using var sim = await Sim.StartAsync(o => o.ClockAcceleration = 3600, seed: null);
        var start = sim.Host.Clock.UtcNow;
        await Task.Delay(200);
        Assert.True(sim.Host.Clock.UtcNow - start >= TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Retry_after_is_in_real_seconds_when_the_clock_is_accelerated()
    {
        await using var sim = await Sim.StartAsync(o => { o.RateLimitPerHour = 1; o.ClockAcceleration = 3600; }, seed: null);
        var client = sim.Client("test");
        await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
        var (limited, _) = await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
        if (limited.StatusCode == HttpStatusCode.OK)
        {
            // The simulated hour turned between the two calls; the next one is limited again.
            (limited, _) = await client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1");
        }

        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.InRange(int.Parse(limited.Header("Retry-After"), CultureInfo.InvariantCulture), 1, 2);
    }
}

