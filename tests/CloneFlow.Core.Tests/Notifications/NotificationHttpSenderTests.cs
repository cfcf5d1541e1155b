using System.Diagnostics;
using System.Globalization;
using System.Net;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.Notifications;

public sealed class NotificationHttpSenderTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private LocalHttpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await LocalHttpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private Task<SendOutcome> SendAsync(NotificationRetryOptions? options = null) =>
        new NotificationHttpSender(_http, options ?? NotificationTestData.FastRetry, TimeProvider.System)
            .SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(_receiver.BaseUrl, "hook")), null, CancellationToken.None);

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Transient_statuses_are_retried(HttpStatusCode status)
    {
        _receiver.Respond(new ScriptedResponse(status));

        var outcome = await SendAsync();

        Assert.Equal((true, 2), (outcome.Delivered, outcome.Attempts));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task Permanent_statuses_fail_after_one_attempt(HttpStatusCode status)
    {
        _receiver.Default = new ScriptedResponse(status);

        var outcome = await SendAsync();

        Assert.Equal((false, 1), (outcome.Delivered, outcome.Attempts));
        Assert.StartsWith($"HTTP {(int)status}", outcome.Failure, StringComparison.Ordinal);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task A_retry_after_date_far_in_the_future_is_cut_to_the_cap()
    {
        var date = DateTimeOffset.UtcNow.AddHours(1).ToString("R", CultureInfo.InvariantCulture);
        _receiver.Respond(new ScriptedResponse(HttpStatusCode.ServiceUnavailable, Headers: new Dictionary<string, string> { ["Retry-After"] = date }));
        var watch = Stopwatch.StartNew();

        var outcome = await SendAsync();

        Assert.True(outcome.Delivered);
        // Honoured (well above the 10 ms backoff) but cut to the 100 ms cap instead of an hour.
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_attempt_that_gets_no_answer_in_time_is_retried_and_reported_as_a_timeout()
    {
        _receiver.Default = new ScriptedResponse(HttpStatusCode.Accepted, Delay: TimeSpan.FromSeconds(5));
        var options = NotificationTestData.FastRetry with { AttemptTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 };

        var outcome = await SendAsync(options);

        Assert.Equal((false, 2), (outcome.Delivered, outcome.Attempts));
        Assert.Equal("no answer within 0.2 s after 2 attempts", outcome.Failure);
    }
}
