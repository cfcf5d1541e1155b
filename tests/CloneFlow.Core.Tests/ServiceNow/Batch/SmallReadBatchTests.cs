using System.Net;
using System.Text;
using System.Text.Json;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Batch;

namespace CloneFlow.Core.Tests.ServiceNow.Batch;

public class SmallReadBatchTests
{
    private static readonly string[] ThreeReads = ["/api/a", "/api/b", "/api/c"];

    [Fact]
    public async Task Each_read_gets_its_own_answer_with_its_headers_and_more_reads_than_a_batch_holds_go_in_several()
    {
        var batches = new List<List<string>>();
        var gate = new TaskCompletionSource();
        var batch = new SmallReadBatch(async (content, token) =>
        {
            var urls = Urls(await content.ReadAsStringAsync(token));
            lock (batches)
            {
                batches.Add(urls.Select(u => u.Url).ToList());
            }

            await gate.Task;
            return Served(urls.Select(u => (u.Id, 200, $"{{\"result\":[{{\"url\":\"{u.Url}\"}}]}}")));
        });

        var reads = Enumerable.Range(0, SmallReadBatch.MaxReadsPerBatch + 5).Select(i => batch.TryReadAsync($"/api/now/v2/table/t{i}?sysparm_limit=1", CancellationToken.None)).ToList();
        gate.SetResult();
        var answers = await Task.WhenAll(reads);

        for (var i = 0; i < answers.Length; i++)
        {
            var answer = Assert.IsType<HttpResponseMessage>(answers[i]);
            Assert.Equal($"{{\"result\":[{{\"url\":\"/api/now/v2/table/t{i}?sysparm_limit=1\"}}]}}", await answer.Content.ReadAsStringAsync());
            Assert.Equal("7", Assert.Single(answer.Headers.GetValues("X-Total-Count")));
            Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        }

        Assert.True(batches.Count >= 2, $"{batches.Count} batches");
        Assert.All(batches, b => Assert.InRange(b.Count, 1, SmallReadBatch.MaxReadsPerBatch));
        Assert.Equal(answers.Length, batches.Sum(b => b.Count));
    }

    [Fact]
    public async Task A_read_the_batch_answers_with_an_error_or_not_at_all_comes_back_null()
    {
        var batch = new SmallReadBatch(async (content, token) =>
        {
            // a is refused, b served, c left out (unserviced), in whichever batch each went.
            var urls = Urls(await content.ReadAsStringAsync(token));
            return Served(urls.Where(u => u.Url != "/api/c").Select(u => (u.Id, u.Url == "/api/a" ? 403 : 200, u.Url == "/api/a" ? "{\"error\":{\"message\":\"no\"}}" : "{\"result\":[]}")));
        });

        var answers = await Task.WhenAll(ThreeReads.Select(url => batch.TryReadAsync(url, CancellationToken.None)));

        Assert.Null(answers[0]);
        Assert.NotNull(answers[1]);
        Assert.Null(answers[2]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"serviced_requests\":\"nope\"}")]
    [InlineData("[]")]
    public async Task A_batch_whose_answer_cannot_be_read_leaves_every_read_to_go_alone(string body)
    {
        var batch = new SmallReadBatch((content, token) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) }));

        Assert.Null(await batch.TryReadAsync("/api/a", CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_that_fails_leaves_its_reads_to_go_alone_and_the_next_read_starts_a_new_batch()
    {
        var calls = 0;
        var batch = new SmallReadBatch(async (content, token) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new ServiceNowException(HttpStatusCode.InternalServerError, "boom", null, null, "POST batch");
            }

            var urls = Urls(await content.ReadAsStringAsync(token));
            return Served(urls.Select(u => (u.Id, 200, "{\"result\":[]}")));
        });

        Assert.Null(await batch.TryReadAsync("/api/a", CancellationToken.None));
        Assert.NotNull(await batch.TryReadAsync("/api/b", CancellationToken.None));
    }

    private static List<(string Id, string Url)> Urls(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("rest_requests").EnumerateArray()
            .Select(r =>
            {
                Assert.Equal("GET", r.GetProperty("method").GetString());
                return (r.GetProperty("id").GetString()!, r.GetProperty("url").GetString()!);
            })
            .ToList();
    }

    private static HttpResponseMessage Served(IEnumerable<(string Id, int Status, string Body)> answers)
    {
        var served = answers.Select(a => new Dictionary<string, object>
        {
            ["id"] = a.Id,
            ["status_code"] = a.Status,
            ["body"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(a.Body)),
            ["headers"] = new[]
            {
                new Dictionary<string, string> { ["name"] = "X-Total-Count", ["value"] = "7" },
                new Dictionary<string, string> { ["name"] = "Content-Type", ["value"] = "application/json" },
            },
        });
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(new { serviced_requests = served, unserviced_requests = Array.Empty<string>() })) };
    }
}
