using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace CloneFlow.Simulator.Http;

/// <summary>The HTTP front of one instance: reads the call, applies faults and the restart window, dispatches, writes the answer.</summary>
internal sealed class InstanceServer(SimulatedInstance instance)
{
    private readonly ApiDispatcher _dispatcher = new(instance);
    private readonly ControlApi _control = new(instance);

    public async Task HandleAsync(HttpContext context)
    {
        var cancellation = context.RequestAborted;
        var arrived = DateTimeOffset.UtcNow;
        instance.World.Tick();
        var request = await ReadAsync(context, cancellation);
        SimResponse? response;
        try
        {
            response = await AnswerAsync(context, request, cancellation);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A simulator bug must still look like a ServiceNow 500 to the client, with the cause for whoever debugs it.
            response = Json.Error(500, "Internal Server Error", $"Simulator error: {ex.GetType().Name}: {ex.Message}");
        }

        if (response is not null)
        {
            await WriteAsync(context, response, cancellation);
            if (!IsControl(request))
            {
                instance.Calls.Add(arrived.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }
        }
    }

    /// <summary>The answer to one call, or null when the connection was dropped on purpose.</summary>
    private async Task<SimResponse?> AnswerAsync(HttpContext context, SimRequest request, CancellationToken cancellation)
    {
        SimResponse response;
        if (IsControl(request))
        {
            response = _control.Handle(request);
        }
        else
        {
            instance.CountApiCall();
            var (drop, slow, fail, throttle) = Roll();
            if (drop)
            {
                context.Abort();
                return null;
            }

            var faults = instance.Faults;
            var delay = faults.LatencyMs + (slow ? faults.SlowResponseMs : 0);
            if (delay > 0)
            {
                await Task.Delay(delay, cancellation);
            }

            var now = instance.Clock.UtcNow;
            var retryAfter = Math.Max(1, faults.RetryAfterSeconds).ToString(CultureInfo.InvariantCulture);
            if (faults.IsUnavailable(DateTimeOffset.UtcNow))
            {
                response = Json.Error(503, "Service Unavailable", $"Injected outage: instance {instance.Name} is unavailable; retry later.")
                    .With("Retry-After", retryAfter);
            }
            else if (instance.RestartingUntil is { } until)
            {
                response = Json.Error(503, "Service Unavailable", $"Instance {instance.Name} is restarting after a clone; retry later.")
                    .With("Retry-After", instance.World.RetryAfterSeconds(until - now).ToString(CultureInfo.InvariantCulture));
            }
            else if (throttle)
            {
                response = Json.Error(429, "Rate limit exceeded", "Injected fault: too many requests; retry after the Retry-After delay.")
                    .With("Retry-After", retryAfter);
            }
            else if (fail)
            {
                response = Json.Error(500, "Internal Server Error", "Injected fault: the simulator answered 500 on purpose.");
            }
            else
            {
                response = _dispatcher.Dispatch(request);
            }
        }

        return response;
    }

    /// <summary>A call to the simulator's control surface, not to the ServiceNow API.</summary>
    private static bool IsControl(SimRequest request) => request.Path.StartsWith("/_simulator", StringComparison.Ordinal);

    /// <summary>Decides the faults of one call from the instance's seeded random source.</summary>
    private (bool Drop, bool Slow, bool Fail, bool Throttle) Roll()
    {
        lock (instance.Random)
        {
            var faults = instance.Faults;
            var drop = faults.DropConnectionRate > 0 && instance.Random.NextDouble() < faults.DropConnectionRate;
            var slow = faults.SlowResponseRate > 0 && instance.Random.NextDouble() < faults.SlowResponseRate;
            var fail = faults.ErrorRate > 0 && instance.Random.NextDouble() < faults.ErrorRate;
            var throttle = faults.ThrottleRate > 0 && instance.Random.NextDouble() < faults.ThrottleRate;
            if (faults.FailNextCalls > 0)
            {
                instance.Faults = faults with { FailNextCalls = faults.FailNextCalls - 1 };
                fail = true;
            }

            return (drop, slow, fail, throttle);
        }
    }

    private static async Task<SimRequest> ReadAsync(HttpContext context, CancellationToken cancellation)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellation);
        var http = context.Request;
        return new SimRequest(
            http.Method.ToUpperInvariant(),
            http.Path.Value ?? "/",
            BatchApi.ParseQuery(http.QueryString.Value ?? string.Empty),
            body.ToArray(),
            http.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
            http.ContentType,
            $"{http.Scheme}://{http.Host}");
    }

    private static async Task WriteAsync(HttpContext context, SimResponse response, CancellationToken cancellation)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        if (response.HasBody)
        {
            context.Response.ContentType = response.ContentType;
            if (response.IsRendered)
            {
                // The status line and headers (X-Total-Count, Link) are final before the rows are rendered
                // into the connection's pooled buffers. Kestrel sends them with the first flush, after the
                // page: a traced 10k export spent 2.5 ms a call rendering and flushing
                // (tests/CloneFlow.Benchmarks/README.md, the round of 2026-12-01).
                await context.Response.StartAsync(cancellation);
            }

            await response.WriteBodyAsync(context.Response.BodyWriter, cancellation);
        }
    }
}
