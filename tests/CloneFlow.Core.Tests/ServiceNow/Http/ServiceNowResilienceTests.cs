using System.Net;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.ServiceNow.Http;

/// <summary>The client's retry rules, on a scripted transport: what is retried, what never is.</summary>
public class ServiceNowResilienceTests
{
    private static readonly Uri Instance = new("https://acme.service-now.com");

    private static readonly ServiceNowClientOptions Fast = new()
    {
        RetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        MaxRetries = 3,
        CircuitMinimumThroughput = 1000,
    };

    private const string Error500 = """{"error":{"message":"Internal error","detail":"boom"},"status":"failure"}""";
    private const string OneRecord = """{"result":{"sys_id":"abc","name":"x"}}""";

    [Fact]
    public async Task A_read_is_retried_after_a_5xx()
    {
        using var stub = new StubHandler((_, i) => i < 2
            ? StubHandler.Json(HttpStatusCode.InternalServerError, Error500)
            : StubHandler.Json(HttpStatusCode.OK, OneRecord));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), Fast, stub);

        var record = await client.GetRecordAsync("sys_update_set", "abc");

        Assert.Equal("x", record!.Get("name"));
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task An_insert_is_not_retried_after_a_500_because_it_may_have_been_applied()
    {
        using var stub = new StubHandler((_, _) => StubHandler.Json(HttpStatusCode.InternalServerError, Error500));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), Fast, stub);

        var error = await Assert.ThrowsAsync<ServiceNowException>(() => client.InsertAsync("sys_update_set", new Dictionary<string, string?> { ["name"] = "n" }));

        Assert.Single(stub.Requests);
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Equal("Internal error", error.ServiceMessage);
        Assert.Equal("boom", error.Detail);
        Assert.Contains("POST sys_update_set on acme.service-now.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_insert_is_retried_after_429_and_503_which_ServiceNow_did_not_process()
    {
        using var stub = new StubHandler((_, i) => i switch
        {
            0 => StubHandler.Json(HttpStatusCode.TooManyRequests, """{"error":{"message":"rate limited"}}""", ("Retry-After", "0")),
            1 => StubHandler.Json(HttpStatusCode.ServiceUnavailable, """{"error":{"message":"restarting"}}""", ("Retry-After", "0")),
            _ => StubHandler.Json(HttpStatusCode.Created, OneRecord),
        });
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), Fast, stub);

        var record = await client.InsertAsync("sys_update_set", new Dictionary<string, string?> { ["sys_id"] = "abc" });

        Assert.Equal("abc", record.SysId);
        Assert.Equal(3, stub.Requests.Count);
        Assert.All(stub.Requests, r => Assert.Equal(HttpMethod.Post, r.Method));
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_client_waits_goes_back_to_the_caller()
    {
        using var stub = new StubHandler((_, _) => StubHandler.Json(HttpStatusCode.TooManyRequests, """{"error":{"message":"Rate limit exceeded"}}""", ("Retry-After", "1800")));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), Fast, stub);

        var error = await Assert.ThrowsAsync<ServiceNowException>(() => client.GetRecordAsync("sys_update_set", "abc"));

        Assert.Single(stub.Requests);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.Equal(TimeSpan.FromSeconds(1800), error.RetryAfter);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_count()
    {
        using var stub = new StubHandler((_, _) => StubHandler.Json(HttpStatusCode.BadGateway, Error500));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), Fast, stub);

        await Assert.ThrowsAsync<ServiceNowException>(() => client.GetRecordAsync("sys_update_set", "abc"));

        Assert.Equal(Fast.MaxRetries + 1, stub.Requests.Count);
    }

    [Fact]
    public async Task A_4xx_is_not_retried_and_a_missing_record_is_null()
    {
        using var stub = new StubHandler((r, _) => r.RequestUri!.AbsolutePath.EndsWith("/gone", StringComparison.Ordinal)
            ? StubHandler.Json(HttpStatusCode.NotFound, """{"error":{"message":"No Record found"}}""")
            : StubHandler.Json(HttpStatusCode.Forbidden, """{"error":{"message":"Operation Failed","detail":"ACL Exception"}}"""));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), Fast, stub);

        Assert.Null(await client.GetRecordAsync("sys_update_set", "gone"));
        var error = await Assert.ThrowsAsync<ServiceNowException>(() => client.GetRecordAsync("sys_update_set", "abc"));

        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.False(error.IsTransient);
        Assert.Equal("ACL Exception", error.Detail);
    }

    [Fact]
    public async Task OAuth_tokens_are_fetched_once_reused_and_renewed_after_a_401()
    {
        var tokens = 0;
        var refusedOnce = false;
        using var stub = new StubHandler((r, _) =>
        {
            if (r.RequestUri!.AbsolutePath == "/oauth_token.do")
            {
                tokens++;
                return StubHandler.Json(HttpStatusCode.OK, $$"""{"access_token":"t{{tokens}}","refresh_token":"r{{tokens}}","expires_in":1799,"token_type":"Bearer"}""");
            }

            if (r.Headers.Authorization?.Parameter == "t1" && !refusedOnce && r.RequestUri.AbsolutePath.EndsWith("/second", StringComparison.Ordinal))
            {
                refusedOnce = true;
                return StubHandler.Json(HttpStatusCode.Unauthorized, """{"error":{"message":"User Not Authenticated"}}""");
            }

            return StubHandler.Json(HttpStatusCode.OK, OneRecord);
        });
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.OAuthPassword("cloneflow", "secret", "admin", "pw"), Fast, stub);

        await client.GetRecordAsync("sys_update_set", "first");
        await client.GetRecordAsync("sys_update_set", "first");
        await client.GetRecordAsync("sys_update_set", "second");

        Assert.Equal(2, tokens);
        var tokenRequests = stub.Requests.Where(r => r.Url.EndsWith("/oauth_token.do", StringComparison.Ordinal)).ToList();
        Assert.Contains("grant_type=password", tokenRequests[0].Body, StringComparison.Ordinal);
        Assert.Equal("Bearer t2", stub.Requests[^1].Authorization);
    }

    [Fact]
    public async Task A_refused_OAuth_grant_names_the_reason_but_no_secret()
    {
        using var stub = new StubHandler((_, _) => StubHandler.Json(HttpStatusCode.Unauthorized, """{"error_description":"access_denied","error":"server_error"}"""));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.OAuthClientCredentials("cloneflow", "s3cr3t-value"), Fast, stub);

        var error = await Assert.ThrowsAsync<ServiceNowException>(() => client.GetRecordAsync("sys_update_set", "abc"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("server_error: access_denied", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_auth_is_sent_on_every_call_and_never_appears_in_errors()
    {
        using var stub = new StubHandler((_, _) => StubHandler.Json(HttpStatusCode.Unauthorized, """{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}"""));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("clone_admin", "pa55word"), Fast, stub);

        var error = await Assert.ThrowsAsync<ServiceNowException>(() => client.GetRecordAsync("sys_update_set", "abc"));

        Assert.StartsWith("Basic ", stub.Requests[0].Authorization, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55word", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("User Not Authenticated", error.ServiceMessage);
    }

    [Fact]
    public async Task Paths_cannot_be_steered_by_table_names_or_sys_ids()
    {
        using var stub = new StubHandler((_, _) => StubHandler.Json(HttpStatusCode.OK, OneRecord));
        using var client = new ServiceNowClient(Instance, ServiceNowCredential.Basic("u", "p"), Fast, stub);

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetRecordAsync("../oauth_token.do", "abc"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetRecordAsync("sys_user", "../../x"));
        Assert.Empty(stub.Requests);
    }
}
