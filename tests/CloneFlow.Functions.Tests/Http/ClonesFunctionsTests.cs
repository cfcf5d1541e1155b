using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runs;
using CloneFlow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace CloneFlow.Functions.Tests.Http;

/// <summary>The HTTP triggers with a mocked Durable client: the contract they answer with.</summary>
public class ClonesFunctionsTests
{
    private static readonly CloneFlowConfiguration Configuration = new()
    {
        Instances = new Dictionary<string, InstanceConfiguration>
        {
            ["prod"] = new() { BaseUrl = new Uri("https://acme.service-now.com"), Protected = true },
            ["test"] = new() { BaseUrl = new Uri("https://acmetest.service-now.com") },
        },
        Targets = new Dictionary<string, TargetConfiguration> { ["test"] = new() { Instance = "test", Source = "prod" } },
    };

    [Fact]
    public async Task Starting_a_clone_schedules_the_orchestration_and_answers_202_with_the_status_url()
    {
        var client = Client(active: []);
        var functions = Functions();

        var response = await InvokeAsync(c => functions.Start(c.Request, client.Object, CancellationToken.None), """{"target":"test"}""");

        Assert.Equal(202, response.Status);
        var runId = response.Json.GetProperty("runId").GetString()!;
        Assert.StartsWith("clone-test-", runId, StringComparison.Ordinal);
        Assert.Equal($"/api/clones/{runId}", response.Location);
        client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(
            It.Is<TaskName>(n => n.Name == "CloneOrchestration"),
            It.Is<object>(o => o is CloneRunInput && ((CloneRunInput)o).Target == "test" && ((CloneRunInput)o).RunId == runId),
            It.Is<StartOrchestrationOptions>(o => o.InstanceId == runId),
            It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_busy_target_answers_409_problem_json_with_the_running_id_and_starts_nothing()
    {
        var client = Client(active: ["clone-test-20261101020000"]);
        var functions = Functions();

        var response = await InvokeAsync(c => functions.Start(c.Request, client.Object, CancellationToken.None), """{"target":"test"}""");

        Assert.Equal(409, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("clone-test-20261101020000", response.Json.GetProperty("runId").GetString());
        client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object>(), It.IsAny<StartOrchestrationOptions>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData("""{"target":"prod"}""")]
    [InlineData("""{"target":"../../etc"}""")]
    [InlineData("""[1,2]""")]
    public async Task Invalid_input_answers_400_problem_json(string body)
    {
        var client = Client(active: []);
        var functions = Functions();

        var response = await InvokeAsync(c => functions.Start(c.Request, client.Object, CancellationToken.None), body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.False(string.IsNullOrEmpty(response.Json.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task An_oversized_body_answers_413_without_reading_it()
    {
        var client = Client(active: []);
        var functions = Functions();

        var response = await InvokeAsync(c => functions.Start(c.Request, client.Object, CancellationToken.None), $"{{\"target\":\"test\",\"pad\":\"{new string('x', 20_000)}\"}}");

        Assert.Equal(413, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
    }

    [Fact]
    public async Task Cancelling_an_unknown_run_answers_404()
    {
        var client = Client(active: []);
        var functions = Functions();

        var response = await InvokeAsync(c => functions.Cancel(c.Request, "clone-test-1", client.Object, CancellationToken.None));

        Assert.Equal(404, response.Status);
        client.Verify(c => c.RaiseEventAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task With_Easy_Auth_required_a_call_without_a_signed_in_principal_is_401_and_starts_nothing()
    {
        var client = Client(active: []);
        var functions = Functions(requireSignedIn: true);

        var anonymous = await InvokeAsync(c => functions.Start(c.Request, client.Object, CancellationToken.None), """{"target":"test"}""");
        var signedIn = await InvokeAsync(
            c =>
            {
                c.Request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"] = "lead@acme.example";
                return functions.Start(c.Request, client.Object, CancellationToken.None);
            },
            """{"target":"test"}""");

        Assert.Equal(401, anonymous.Status);
        Assert.Equal(202, signedIn.Status);
        client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(
            It.IsAny<TaskName>(), It.Is<object>(o => ((CloneRunInput)o).RequestedBy == "lead@acme.example"), It.IsAny<StartOrchestrationOptions>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Listing_answers_the_clone_runs_newest_first_and_nothing_else()
    {
        var now = DateTimeOffset.UtcNow;
        var client = new Mock<DurableTaskClient>("test");
        OrchestrationQuery? asked = null;
        client.Setup(c => c.GetAllInstancesAsync(It.IsAny<OrchestrationQuery>()))
            .Returns((OrchestrationQuery query) =>
            {
                asked = query;
                return Pageable.Create((string? _, CancellationToken _) => Task.FromResult(new Page<OrchestrationMetadata>(
                    [
                        new("CloneOrchestration", "clone-test-1") { RuntimeStatus = OrchestrationRuntimeStatus.Completed, CreatedAt = now.AddDays(-2) },
                        new("SomethingElse", "other-1") { RuntimeStatus = OrchestrationRuntimeStatus.Running, CreatedAt = now },
                        new("CloneOrchestration", "clone-test-2") { RuntimeStatus = OrchestrationRuntimeStatus.Running, CreatedAt = now.AddHours(-1), SerializedCustomStatus = """{"phase":"export"}""" },
                    ],
                    null)));
            });
        var functions = Functions();

        var response = await InvokeAsync(c => functions.List(c.Request, client.Object, CancellationToken.None), string.Empty);

        Assert.Equal(200, response.Status);
        var runs = response.Json.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["clone-test-2", "clone-test-1"], runs.Select(r => r.GetProperty("runId").GetString()));
        Assert.Equal("export", runs[0].GetProperty("phase").GetString());
        Assert.NotNull(asked?.CreatedFrom);
    }

    private static ClonesFunctions Functions(bool requireSignedIn = false) =>
        new(Configuration, new RunArtifactStore(new BlobContainerClient(new Uri("http://127.0.0.1:1/devstoreaccount1/cloneflow-runs"))), new FunctionSettings(name => name == "CLONEFLOW_REQUIRE_SIGNED_IN" && requireSignedIn ? "true" : null));

    private static Mock<DurableTaskClient> Client(string[] active)
    {
        var client = new Mock<DurableTaskClient>("test");
        client.Setup(c => c.GetAllInstancesAsync(It.IsAny<OrchestrationQuery>()))
            .Returns((OrchestrationQuery query) => Pageable.Create((string? _, CancellationToken _) =>
                Task.FromResult(new Page<OrchestrationMetadata>(
                    active.Where(id => id.StartsWith(query.InstanceIdPrefix!, StringComparison.Ordinal))
                        .Select(id => new OrchestrationMetadata("CloneOrchestration", id) { RuntimeStatus = OrchestrationRuntimeStatus.Running })
                        .ToList(),
                    null))));
        client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object>(), It.IsAny<StartOrchestrationOptions>(), It.IsAny<CancellationToken>()))
            .Returns((TaskName _, object _, StartOrchestrationOptions options, CancellationToken _) => Task.FromResult(options.InstanceId!));
        client.Setup(c => c.GetInstanceAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>())).ReturnsAsync((OrchestrationMetadata?)null);
        return client;
    }

    private static async Task<(int Status, string? ContentType, string? Location, JsonElement Json)> InvokeAsync(Func<HttpContext, Task<IResult>> trigger, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            context.Request.ContentLength = context.Request.Body.Length;
        }

        var response = new MemoryStream();
        context.Response.Body = response;
        await (await trigger(context)).ExecuteAsync(context);
        var text = Encoding.UTF8.GetString(response.ToArray());
        var json = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0], context.Response.Headers.Location.FirstOrDefault(), json);
    }
}
