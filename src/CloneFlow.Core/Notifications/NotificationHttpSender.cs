namespace CloneFlow.Core.Notifications;

/// <summary>
/// Sends one notification request with retries on 408, 429, 5xx, connection errors and timeouts,
/// honouring <c>Retry-After</c> up to a cap. Failure reasons are built from status codes and error
/// kinds only, never from exception messages, which can quote the URL (a webhook URL is a secret).
/// </summary>
internal sealed class NotificationHttpSender(HttpClient http, NotificationRetryOptions options, TimeProvider time)
{
    private const int MaxErrorBodyChars = 4096;

    /// <summary>Sends the request <paramref name="createRequest"/> builds (a new one per attempt); <paramref name="describeError"/> may pick a safe detail out of an error body.</summary>
    public async Task<SendOutcome> SendAsync(Func<HttpRequestMessage> createRequest, Func<string, string?>? describeError, CancellationToken cancellationToken)
    {
        var attempts = Math.Max(1, options.MaxAttempts);
        string failure = "not sent";
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            bool retryable;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.AttemptTimeout);
            try
            {
                using var request = createRequest();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return new SendOutcome(true, attempt, null);
                }

                var status = (int)response.StatusCode;
                failure = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
                if (describeError is not null && await ReadErrorBodyAsync(response, timeout.Token) is { Length: > 0 } body && describeError(body) is { Length: > 0 } detail)
                {
                    failure += $" ({detail})";
                }

                retryable = status is 408 or 429 or >= 500;
                retryAfter = RetryAfter(response);
            }
            catch (HttpRequestException ex)
            {
                failure = $"connection failed ({ex.HttpRequestError})";
                retryable = true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {options.AttemptTimeout.TotalSeconds:0.#} s";
                retryable = true;
            }

            if (!retryable)
            {
                return new SendOutcome(false, attempt, failure);
            }

            if (attempt < attempts)
            {
                var backoff = options.BaseDelay * Math.Pow(2, attempt - 1);
                var wait = retryAfter is { } asked ? TimeSpan.FromTicks(Math.Min(asked.Ticks, options.MaxRetryAfter.Ticks)) : backoff;
                await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, time, cancellationToken);
            }
        }

        return new SendOutcome(false, attempts, $"{failure} after {attempts} attempts");
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta;
        }

        return header.Date is { } date ? date - time.GetUtcNow() : null;
    }

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return body.Length > MaxErrorBodyChars ? body[..MaxErrorBodyChars] : body;
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
    }
}

/// <summary>Whether a request got through, after how many attempts, and why not.</summary>
internal sealed record SendOutcome(bool Delivered, int Attempts, string? Failure);
