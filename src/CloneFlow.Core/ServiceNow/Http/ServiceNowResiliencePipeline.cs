using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CloneFlow.Core.ServiceNow.Http;

/// <summary>
/// The resilience pipeline every call to one instance goes through: a concurrency limit, jittered
/// retries that honour Retry-After, a circuit breaker and a per-attempt timeout. Calls that change
/// data (POST) are retried only when ServiceNow certainly did not process them (429, 503, no
/// connection), so a retry never inserts a record twice.
/// </summary>
internal static class ServiceNowResiliencePipeline
{
    public static ResiliencePipeline<HttpResponseMessage> Create(ServiceNowClientOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        builder.AddConcurrencyLimiter(options.MaxConcurrentRequests, queueLimit: int.MaxValue);
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            MaxDelay = options.MaxRetryDelay,
            ShouldRetryAfterHeader = true,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, options.MaxRetryAfter, timeProvider)),
        });
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitFailureRatio,
            SamplingDuration = options.CircuitSampling,
            MinimumThroughput = options.CircuitMinimumThroughput,
            BreakDuration = options.CircuitBreakDuration,
            // Throttling is the instance working as designed, not an instance in trouble.
            ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome)),
        });
        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    /// <summary>Retry-After as a delay (seconds or an HTTP date), or null.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, TimeSpan maxRetryAfter, TimeProvider timeProvider)
    {
        var method = context.GetRequestMessage()?.Method ?? HttpMethod.Get;
        var changesData = method == HttpMethod.Post;
        switch (outcome.Exception)
        {
            case BrokenCircuitException:
                return true;
            case TimeoutRejectedException:
                // A POST that timed out may have been processed: the caller reconciles instead.
                return !changesData;
            case HttpRequestException http:
                return !changesData || http.HttpRequestError == HttpRequestError.ConnectionError;
            case not null:
                return false;
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (status is 429 or 503)
        {
            // A wait longer than the client's patience goes back to the workflow (durable timer).
            return RetryAfter(response, timeProvider) is not { } wait || wait <= maxRetryAfter;
        }

        return !changesData && (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout);
    }

    private static bool IsServerFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException => true,
        not null => false,
        _ => (int)outcome.Result!.StatusCode >= 500,
    };
}
