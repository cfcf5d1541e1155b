using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Secrets;
using CloneFlow.Core.Tests.Support;
using static CloneFlow.Core.Tests.Notifications.NotificationTestData;

namespace CloneFlow.Core.Tests.Notifications;

public sealed class TeamsWorkflowNotifierTests : IAsyncLifetime, IDisposable
{
    private const string SecretName = "cloneflow-teams-webhook";
    private const string Signature = "sig=Zm9yZ2V0LW1lLW5vdA";

    private readonly ListLogger<TeamsWorkflowNotifier> _log = new();
    private readonly HttpClient _http = new();
    private LocalHttpReceiver _receiver = null!;

    private string WebhookUrl => $"{_receiver.BaseUrl}workflows/abc123/triggers/manual/paths/invoke?api-version=1&{Signature}";

    public async Task InitializeAsync() => _receiver = await LocalHttpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private TeamsWorkflowNotifier Notifier(string? webhookUrl = null) =>
        new(_http, new EnvironmentSecretProvider(name => name == EnvironmentSecretProvider.VariableName(SecretName) ? webhookUrl ?? WebhookUrl : null), new TeamsWorkflowOptions { WebhookSecretName = SecretName, Retry = FastRetry }, _log);

    private void AssertNoSecretLeaked(NotificationResult result, string webhookUrl)
    {
        var visible = JsonSerializer.Serialize(result) + "\n" + _log.All;
        Assert.DoesNotContain(webhookUrl, visible, StringComparison.Ordinal);
        Assert.DoesNotContain(Signature, visible, StringComparison.Ordinal);
        Assert.DoesNotContain("abc123", visible, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Posts_a_message_with_one_adaptive_card_to_the_webhook_from_the_secret()
    {
        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.True(result.Delivered);
        var delivery = Assert.Single(result.Deliveries);
        Assert.Equal(("teams", 1, (string?)null), (delivery.Channel, delivery.Attempts, delivery.Recipient));
        var request = Assert.Single(_receiver.Received);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/workflows/abc123/triggers/manual/paths/invoke", request.Path);
        Assert.Equal($"?api-version=1&{Signature}", request.Query);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);

        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal(["type", "attachments"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("message", root.GetProperty("type").GetString());
        var attachment = Assert.Single(root.GetProperty("attachments").EnumerateArray());
        Assert.Equal(["contentType", "contentUrl", "content"], attachment.EnumerateObject().Select(p => p.Name));
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        Assert.Equal(JsonValueKind.Null, attachment.GetProperty("contentUrl").ValueKind);
        var card = attachment.GetProperty("content");
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("1.4", card.GetProperty("version").GetString());
    }

    [Fact]
    public async Task The_card_shows_source_to_target_in_large_text_the_facts_and_an_open_url_button_to_the_approval_page()
    {
        await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Received).Body);
        var card = json.RootElement.GetProperty("attachments")[0].GetProperty("content");
        var body = card.GetProperty("body").EnumerateArray().ToList();
        var headline = Assert.Single(body, b => b.GetProperty("type").GetString() == "TextBlock" && b.TryGetProperty("size", out var s) && s.GetString() == "Large");
        Assert.Equal("prod → dev", headline.GetProperty("text").GetString());
        var facts = Assert.Single(body, b => b.GetProperty("type").GetString() == "FactSet").GetProperty("facts").EnumerateArray()
            .Select(f => (f.GetProperty("title").GetString(), f.GetProperty("value").GetString())).ToList();
        Assert.Equal(
            [("Run", "clone-dev-20261125093000"), ("Gate", "plan"), ("Round", "1"), ("Clone request", "CHG0012345"), ("Update sets", "2"), ("Largest set", "Sprint 42 fixes")],
            facts);
        var actions = card.GetProperty("actions").EnumerateArray().ToList();
        Assert.All(actions, a => Assert.Equal("Action.OpenUrl", a.GetProperty("type").GetString()));
        Assert.Equal(
            [("Review and approve", Alice.ApprovalLink!.AbsoluteUri), ("Run status", "https://cloneflow.contoso.com/runs/clone-dev-20261125093000")],
            actions.Select(a => (a.GetProperty("title").GetString(), a.GetProperty("url").GetString())));
    }

    [Fact]
    public async Task With_several_approvers_each_gets_a_named_button_with_their_own_link()
    {
        await Notifier().NotifyAsync(ApprovalRequest(), [Alice, Bob], CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Received).Body);
        var actions = json.RootElement.GetProperty("attachments")[0].GetProperty("content").GetProperty("actions").EnumerateArray()
            .Select(a => (a.GetProperty("title").GetString(), a.GetProperty("url").GetString())).ToList();
        Assert.Equal(("Review and approve (Alice Smith)", Alice.ApprovalLink!.AbsoluteUri), actions[0]);
        Assert.Equal(("Review and approve (bob@contoso.com)", Bob.ApprovalLink!.AbsoluteUri), actions[1]);
    }

    [Fact]
    public async Task A_hostile_update_set_name_stays_a_json_string_value_and_cannot_add_card_elements()
    {
        const string name = "x\",\"type\":\"Action.OpenUrl\",\"url\":\"https://evil.example\"} " + Hostile;

        await Notifier().NotifyAsync(ApprovalRequest(name), [Alice], CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Received).Body);
        var card = json.RootElement.GetProperty("attachments")[0].GetProperty("content");
        var fact = card.GetProperty("body").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "FactSet").GetProperty("facts").EnumerateArray().Last();
        Assert.Equal(name, fact.GetProperty("value").GetString());
        Assert.All(card.GetProperty("actions").EnumerateArray(), a => Assert.StartsWith("https://cloneflow.contoso.com/", a.GetProperty("url").GetString(), StringComparison.Ordinal));
        Assert.Equal(2, card.GetProperty("actions").GetArrayLength());
    }

    [Fact]
    public async Task The_text_goes_into_a_rich_text_run_so_markdown_in_servicenow_data_does_not_become_a_link()
    {
        const string name = "[Approve here](https://evil.example/)";

        await Notifier().NotifyAsync(ApprovalRequest(name), [Alice], CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Received).Body);
        var body = json.RootElement.GetProperty("attachments")[0].GetProperty("content").GetProperty("body").EnumerateArray().ToList();
        var rich = Assert.Single(body, b => b.GetProperty("type").GetString() == "RichTextBlock");
        var run = Assert.Single(rich.GetProperty("inlines").EnumerateArray());
        Assert.Equal("TextRun", run.GetProperty("type").GetString());
        Assert.Equal($"2 update sets to export, including {name}.", run.GetProperty("text").GetString());
        Assert.DoesNotContain(body, b => b.GetProperty("type").GetString() == "TextBlock" && b.GetProperty("text").GetString()!.Contains("evil", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_500_is_retried_and_the_second_attempt_delivers()
    {
        _receiver.Respond(new ScriptedResponse(HttpStatusCode.InternalServerError));

        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(2, result.Deliveries[0].Attempts);
        Assert.Equal(2, _receiver.Received.Count);
        Assert.Equal(_receiver.Received[0].Body, _receiver.Received[1].Body);
    }

    [Fact]
    public async Task A_429_waits_for_retry_after_but_no_longer_than_the_cap()
    {
        _receiver.Respond(new ScriptedResponse(HttpStatusCode.TooManyRequests, Headers: new Dictionary<string, string> { ["Retry-After"] = "120" }));
        var watch = Stopwatch.StartNew();

        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(2, _receiver.Received.Count);
        // Honoured (well above the 10 ms backoff) but cut to the 100 ms cap instead of the asked-for wait.
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Three_5xx_answers_give_a_failed_result_after_three_attempts_without_the_url()
    {
        _receiver.Default = new ScriptedResponse(HttpStatusCode.BadGateway);

        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(3, failure.Attempts);
        Assert.Equal(3, _receiver.Received.Count);
        Assert.Contains("HTTP 502", failure.FailureReason, StringComparison.Ordinal);
        Assert.Contains($"'{SecretName}'", failure.FailureReason, StringComparison.Ordinal);
        AssertNoSecretLeaked(result, WebhookUrl);
    }

    [Fact]
    public async Task A_permanent_400_fails_at_once_without_an_exception_and_without_the_url()
    {
        _receiver.Default = new ScriptedResponse(HttpStatusCode.BadRequest, Body: $"{{\"error\":\"bad card for {WebhookUrl}\"}}");

        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(1, result.Deliveries[0].Attempts);
        Assert.Single(_receiver.Received);
        Assert.StartsWith("HTTP 400", result.Deliveries[0].FailureReason, StringComparison.Ordinal);
        Assert.Contains(_log.Lines, l => l.StartsWith("Warning:", StringComparison.Ordinal) && l.Contains("HTTP 400", StringComparison.Ordinal));
        AssertNoSecretLeaked(result, WebhookUrl);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_reported_without_the_url()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var url = $"http://127.0.0.1:{port}/workflows/abc123/invoke?{Signature}";

        var result = await Notifier(url).NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(3, result.Deliveries[0].Attempts);
        Assert.Contains("connection failed", result.Deliveries[0].FailureReason, StringComparison.Ordinal);
        AssertNoSecretLeaked(result, url);
        Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Deliveries[0].FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_webhook_secret_is_a_failed_result_naming_the_secret_and_nothing_is_sent()
    {
        var notifier = new TeamsWorkflowNotifier(_http, new EnvironmentSecretProvider(_ => null), new TeamsWorkflowOptions { WebhookSecretName = SecretName, Retry = FastRetry }, _log);

        var result = await notifier.NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal("the webhook secret 'cloneflow-teams-webhook' is not set", result.Deliveries[0].FailureReason);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task A_secret_that_is_not_a_url_is_a_failed_result_that_does_not_quote_it()
    {
        var result = await Notifier("not a url but maybe a password").NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.DoesNotContain("password", result.Deliveries[0].FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain("password", _log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_is_thrown_not_reported_as_a_delivery_failure()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Notifier().NotifyAsync(ApprovalRequest(), [Alice], cancelled.Token));
    }
}
