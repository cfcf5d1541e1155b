using System.Net;
using System.Text.Json;
using Azure.Identity;
using CloneFlow.Core.Notifications;
using CloneFlow.Core.Tests.Support;
using static CloneFlow.Core.Tests.Notifications.NotificationTestData;

namespace CloneFlow.Core.Tests.Notifications;

public sealed class GraphMailNotifierTests : IAsyncLifetime, IDisposable
{
    private const string BearerToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-token-secret.c2ln";

    private readonly ListLogger<GraphMailNotifier> _log = new();
    private readonly HttpClient _http = new();
    private readonly StaticTokenCredential _credential = new(BearerToken);
    private LocalHttpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await LocalHttpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private GraphMailNotifier Notifier(StaticTokenCredential? credential = null) =>
        new(_http, credential ?? _credential, new GraphMailOptions { Sender = "cloneflow@contoso.com", GraphBaseUrl = _receiver.BaseUrl, Retry = FastRetry }, _log);

    private void AssertTokenNotLeaked(NotificationResult result)
    {
        var visible = JsonSerializer.Serialize(result) + "\n" + _log.All;
        Assert.DoesNotContain(BearerToken, visible, StringComparison.Ordinal);
        Assert.DoesNotContain("graph-token-secret", visible, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sends_one_sendMail_per_recipient_as_the_sender_with_an_app_only_bearer_token()
    {
        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice, Bob], CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(["alice@contoso.com", "bob@contoso.com"], result.Deliveries.Select(d => d.Recipient));
        Assert.All(result.Deliveries, d => Assert.Equal("email", d.Channel));
        Assert.Equal(2, _receiver.Received.Count);
        Assert.All(_receiver.Received, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("/v1.0/users/cloneflow%40contoso.com/sendMail", r.RawTarget);
            Assert.Equal($"Bearer {BearerToken}", r.Headers["Authorization"]);
            Assert.StartsWith("application/json", r.Headers["Content-Type"], StringComparison.Ordinal);
        });
        Assert.All(_credential.Requests, scopes => Assert.Equal(["https://graph.microsoft.com/.default"], scopes));
        Assert.NotEmpty(_credential.Requests);
    }

    [Fact]
    public async Task The_body_is_the_graph_sendMail_shape_with_an_html_body_and_no_saved_copy()
    {
        await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Received).Body);
        var root = json.RootElement;
        Assert.Equal(["message", "saveToSentItems"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("saveToSentItems").GetBoolean());
        var message = root.GetProperty("message");
        Assert.Equal(["subject", "body", "toRecipients"], message.EnumerateObject().Select(p => p.Name));
        Assert.Equal("[CloneFlow] Approval needed: plan: prod → dev (clone-dev-20261125093000)", message.GetProperty("subject").GetString());
        Assert.Equal("HTML", message.GetProperty("body").GetProperty("contentType").GetString());
        var to = Assert.Single(message.GetProperty("toRecipients").EnumerateArray());
        Assert.Equal(["emailAddress"], to.EnumerateObject().Select(p => p.Name));
        Assert.Equal("alice@contoso.com", to.GetProperty("emailAddress").GetProperty("address").GetString());
        var html = message.GetProperty("body").GetProperty("content").GetString()!;
        Assert.Contains("<strong>prod → dev</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th align=\"left\">Clone request</th><td>CHG0012345</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{Alice.ApprovalLink!.AbsoluteUri}\">Review and approve</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://cloneflow.contoso.com/runs/clone-dev-20261125093000\">Run status</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_mail_carries_only_its_own_recipients_approval_link()
    {
        await Notifier().NotifyAsync(ApprovalRequest(), [Alice, Bob], CancellationToken.None);

        var toAlice = _receiver.Received.Single(r => r.Body.Contains("alice@contoso.com", StringComparison.Ordinal));
        var toBob = _receiver.Received.Single(r => r.Body.Contains("\"address\":\"bob@contoso.com\"", StringComparison.Ordinal));
        Assert.Contains(Alice.ApprovalLink!.AbsoluteUri, toAlice.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Bob.ApprovalLink!.AbsoluteUri, toAlice.Body, StringComparison.Ordinal);
        Assert.Contains(Bob.ApprovalLink!.AbsoluteUri, toBob.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Alice.ApprovalLink!.AbsoluteUri, toBob.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malicious_update_set_name_is_html_escaped_everywhere_in_the_mail()
    {
        await Notifier().NotifyAsync(ApprovalRequest(Hostile + "\" onmouseover=\"x"), [Alice], CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Received).Body);
        var html = json.RootElement.GetProperty("message").GetProperty("body").GetProperty("content").GetString()!;
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\" onmouseover", html, StringComparison.Ordinal);
        Assert.Contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x</td>", html, StringComparison.Ordinal);
        Assert.Contains("including &lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_is_retried_and_the_second_attempt_delivers_with_the_same_body()
    {
        _receiver.Respond(new ScriptedResponse(HttpStatusCode.ServiceUnavailable));

        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(2, result.Deliveries[0].Attempts);
        Assert.Equal(_receiver.Received[0].Body, _receiver.Received[1].Body);
    }

    [Fact]
    public async Task A_permanent_graph_error_fails_that_recipient_with_graphs_error_code_and_others_still_get_mail()
    {
        _receiver.Respond(new ScriptedResponse(HttpStatusCode.BadRequest, Body: "{\"error\":{\"code\":\"ErrorInvalidRecipients\",\"message\":\"Authorization: Bearer " + BearerToken + "\"}}"));

        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice, Bob], CancellationToken.None);

        Assert.False(result.Delivered);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("alice@contoso.com", 1), (failure.Recipient, failure.Attempts));
        Assert.Equal("HTTP 400 Bad Request (ErrorInvalidRecipients) (Graph sendMail as cloneflow@contoso.com)", failure.FailureReason);
        Assert.True(result.Deliveries.Single(d => d.Recipient == "bob@contoso.com").Delivered);
        AssertTokenNotLeaked(result);
    }

    [Fact]
    public async Task A_401_from_graph_is_a_failed_result_without_the_token()
    {
        _receiver.Default = new ScriptedResponse(HttpStatusCode.Unauthorized);

        var result = await Notifier().NotifyAsync(ApprovalRequest(), [Alice], CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.StartsWith("HTTP 401", result.Deliveries[0].FailureReason, StringComparison.Ordinal);
        AssertTokenNotLeaked(result);
    }

    [Fact]
    public async Task A_credential_that_cannot_get_a_token_fails_every_recipient_without_an_exception_or_a_request()
    {
        var failing = new StaticTokenCredential(BearerToken, new AuthenticationFailedException("AADSTS7000215: Invalid client secret provided: " + BearerToken));

        var result = await Notifier(failing).NotifyAsync(ApprovalRequest(), [Alice, Bob], CancellationToken.None);

        Assert.Equal(2, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Equal("could not get a Microsoft Graph token for cloneflow@contoso.com (AuthenticationFailedException)", f.FailureReason));
        Assert.Empty(_receiver.Received);
        AssertTokenNotLeaked(result);
    }

    [Fact]
    public async Task No_recipients_is_a_failed_result_not_a_silent_success()
    {
        var result = await Notifier().NotifyAsync(ApprovalRequest(), [], CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal("no e-mail recipients", Assert.Single(result.Failures).FailureReason);
    }
}
