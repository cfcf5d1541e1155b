using System.Globalization;
using System.Net;

namespace CloneFlow.Simulator.Tests;

public sealed class CallLogTests
{
    [Fact]
    public async Task The_control_surface_reports_the_api_calls_that_arrived_in_a_window_with_how_long_each_took()
    {
        await using var sim = await Sim.StartAsync(o => o.LatencyMs = 40);
        var client = sim.Client("test");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.GetAsync2("api/now/v2/table/sys_properties?sysparm_limit=1")));
        await client.GetAsync2("_simulator/tables/sys_properties");
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // A call is noted once its answer is written, which the client may see a moment before that.
        var query = string.Create(CultureInfo.InvariantCulture, $"_simulator/calls?from={before}&to={after}");
        var (response, window) = await client.GetAsync2(query);
        for (var attempt = 0; attempt < 50 && window.GetProperty("calls").GetInt32() < 3; attempt++)
        {
            await Task.Delay(20);
            (response, window) = await client.GetAsync2(query);
        }

        var (_, later) = await client.GetAsync2(string.Create(CultureInfo.InvariantCulture, $"_simulator/calls?from={after + 1}"));

        // Three API calls side by side, each about its latency (less up to 5 ms: .NET timers run on the
        // kernel's coarse clock, a few ms a tick, and times are whole milliseconds); the control call is not one of them.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, window.GetProperty("calls").GetInt32());
        Assert.True(window.GetProperty("busy_ms").GetInt64() >= 3 * 35, $"busy {window.GetProperty("busy_ms").GetInt64()} ms");
        var (first, last) = (window.GetProperty("first_start_ms").GetInt64(), window.GetProperty("last_end_ms").GetInt64());
        Assert.InRange(first, before, after);
        Assert.True(last - first >= 35, $"the calls spanned {last - first} ms");
        Assert.Equal(0, later.GetProperty("calls").GetInt32());
        Assert.Equal(3, sim["test"].CallsBetween(DateTimeOffset.FromUnixTimeMilliseconds(before), DateTimeOffset.FromUnixTimeMilliseconds(after)).Calls);
    }
}
