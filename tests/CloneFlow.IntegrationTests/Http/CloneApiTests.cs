using System.Text;
using System.Text.Json;
using CloneFlow.Core.Http;
using CloneFlow.Core.Runs;
using CloneFlow.IntegrationTests.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CloneFlow.IntegrationTests.Http;

/// <summary>The HTTP API handlers both hosts bind, on the durable engine with real runs.</summary>
public class CloneApiTests
{
    [Fact]
    public async Task Start_answers_202_with_the_status_url_and_a_busy_target_409_with_the_running_id()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var api = Api(harness);

        var first = await SendAsync(c => api.StartAsync(c.Request, CancellationToken.None), """{"target":"test"}""");
        var second = await SendAsync(c => api.StartAsync(c.Request, CancellationToken.None), """{"target":"test","dryRun":true}""");

        Assert.Equal(202, first.Status);
        var runId = first.Json.GetProperty("runId").GetString()!;
        Assert.Equal($"/api/clones/{runId}", first.Location);
        Assert.Equal(409, second.Status);
        Assert.Equal("application/problem+json", second.ContentType);
        Assert.Equal(runId, second.Json.GetProperty("runId").GetString());
        Assert.Contains("one run per target", second.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var status = await SendAsync(_ => api.GetAsync(runId, CancellationToken.None));
        Assert.Equal(200, status.Status);
        Assert.Equal(runId, status.Json.GetProperty("runId").GetString());

        var cancel = await SendAsync(c => api.CancelAsync(runId, c.Request, CancellationToken.None));
        Assert.Equal(202, cancel.Status);
        var result = await harness.RunToEndAsync(runId, _ => null);
        Assert.Equal(RunOutcome.Canceled, result.Outcome);

        var again = await SendAsync(c => api.CancelAsync(runId, c.Request, CancellationToken.None));
        Assert.Equal(409, again.Status);
        var report = await SendAsync(c => api.ReportAsync(runId, c.Request, CancellationToken.None));
        Assert.Equal(200, report.Status);
        Assert.Equal("Canceled", report.Json.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"target":"prod"}""", 400, "not a configured target")]
    [InlineData("""{"target":"https://evil.example"}""", 400, "not a configured target")]
    [InlineData("""{}""", 400, "Name a configured target")]
    [InlineData("""{"target": 42}""", 400, "Invalid JSON")]
    [InlineData("""not json""", 400, "Invalid JSON")]
    public async Task Bad_requests_get_problem_json_naming_what_is_wrong_and_start_nothing(string body, int status, string message)
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var api = Api(harness);

        var response = await SendAsync(c => api.StartAsync(c.Request, CancellationToken.None), body);

        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(message, response.Json.GetProperty("title").GetString() + " " + response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await new CloneRuns(harness.Client, harness.Configuration).ActiveRunAsync("test", CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_runs_are_404_and_an_unwritten_report_is_404()
    {
        await using var harness = await WorkflowHarness.StartAsync();
        var api = Api(harness);

        Assert.Equal(404, (await SendAsync(_ => api.GetAsync("clone-test-19990101000000", CancellationToken.None))).Status);
        Assert.Equal(404, (await SendAsync(c => api.CancelAsync("clone-test-19990101000000", c.Request, CancellationToken.None))).Status);
        Assert.Equal(404, (await SendAsync(c => api.ReportAsync("clone-test-19990101000000", c.Request, CancellationToken.None))).Status);
        Assert.Equal(400, (await SendAsync(c => api.ReportAsync("../etc", c.Request, CancellationToken.None))).Status);
    }

    private static CloneApi Api(WorkflowHarness harness) => new(new CloneRuns(harness.Client, harness.Configuration), harness.Artifacts, harness.Configuration);

    private static async Task<(int Status, string? ContentType, string? Location, JsonElement Json)> SendAsync(Func<HttpContext, Task<IResult>> handler, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            context.Request.ContentLength = context.Request.Body.Length;
            context.Request.ContentType = "application/json";
        }

        var response = new MemoryStream();
        context.Response.Body = response;
        var result = await handler(context);
        await result.ExecuteAsync(context);
        var text = Encoding.UTF8.GetString(response.ToArray());
        var json = text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0], context.Response.Headers.Location.FirstOrDefault(), json);
    }
}
