using System.Globalization;
using System.Net;
using System.Text.Json;

namespace CloneFlow.Core.ServiceNow.Batch;

/// <summary>
/// Small reads waiting at the same time go to the instance together, in one Batch API call
/// (<c>POST /api/now/v1/batch</c>, each read a GET in it): a chunk's set headers, a set expected to
/// be empty, the few rows of a table. Each such read alone would hold one of the instance's request
/// slots for a whole round trip for an answer of a few rows.
/// </summary>
/// <remarks>
/// A batch takes its reads when its body is written, that is once the call has one of the client's
/// request slots: every read that arrived while it waited for a slot (behind pages of large exports)
/// goes in it, and a read arriving after that starts the next batch, which waits for a slot in its turn.
/// So small reads never wait longer than they would alone, and as many go together as were waiting.
/// A read comes back null when its batch failed, when its own answer in the batch is not 200, or when
/// the batch did not serve it: the caller then sends it on its own, with every retry a single call has,
/// so a batch never makes a read fail that would have succeeded alone. Reads only: nothing in a batch
/// changes data, so a batch that is retried or lost changes nothing.
/// </remarks>
internal sealed class SmallReadBatch
{
    /// <summary>Reads in one batch at most: their answers come back whole (base64 in one JSON document).</summary>
    public const int MaxReadsPerBatch = 10;

    private readonly Func<HttpContent, CancellationToken, Task<HttpResponseMessage>> _send;
    private readonly Lock _gate = new();
    private readonly List<WaitingRead> _waiting = [];

    /// <summary>True while a batch call waits for a request slot: new reads join it.</summary>
    private bool _forming;

    /// <summary>Batches go through <paramref name="send"/> (content, cancellation): the client's pipeline, with its limits and retries.</summary>
    public SmallReadBatch(Func<HttpContent, CancellationToken, Task<HttpResponseMessage>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        _send = send;
    }

    /// <summary>
    /// The answer to a GET of <paramref name="pathAndQuery"/> (an <c>/api/...</c> path on this instance) as
    /// if it had been sent alone, or null: then send it alone.
    /// </summary>
    public Task<HttpResponseMessage?> TryReadAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathAndQuery);
        var read = new WaitingRead(pathAndQuery);
        bool start;
        lock (_gate)
        {
            _waiting.Add(read);
            start = !_forming;
            _forming = true;
        }

        if (start)
        {
            StartBatch();
        }

        return read.Answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends one batch call, not on the caller's stack: the caller awaits its own answer, not everyone's.</summary>
    private void StartBatch() => _ = Task.Run(SendBatchAsync, CancellationToken.None);

    private async Task SendBatchAsync()
    {
        using var content = new BatchContent(this);
        Dictionary<string, HttpResponseMessage> answers = [];
        try
        {
            answers = await SendAsync(content);
        }
        finally
        {
            // A call that failed before its body was written took no reads: the ones it would have taken go alone.
            var batch = content.Taken ?? TakeWaiting();
            foreach (var read in batch)
            {
                read.Answer.TrySetResult(answers.GetValueOrDefault(read.Id));
            }
        }
    }

    /// <summary>
    /// Up to <see cref="MaxReadsPerBatch"/> of the waiting reads, oldest first, for the batch being written:
    /// the batch no longer waits for reads, and any left over start the next one.
    /// </summary>
    private List<WaitingRead> TakeWaiting()
    {
        bool more;
        List<WaitingRead> taken;
        lock (_gate)
        {
            taken = _waiting.Take(MaxReadsPerBatch).ToList();
            _waiting.RemoveRange(0, taken.Count);
            more = _waiting.Count > 0;
            _forming = more;
        }

        if (more)
        {
            StartBatch();
        }

        return taken;
    }

    /// <summary>
    /// One Batch API call: each served read's answer by id (none when the call failed; a call that failed
    /// before its body was written took no reads, and the reads it would have taken are given none).
    /// </summary>
    private async Task<Dictionary<string, HttpResponseMessage>> SendAsync(BatchContent content)
    {
        var answers = new Dictionary<string, HttpResponseMessage>(StringComparer.Ordinal);
        try
        {
            using var response = await _send(content, CancellationToken.None);
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var json = await JsonDocument.ParseAsync(stream);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("serviced_requests", out var served)
                || served.ValueKind != JsonValueKind.Array)
            {
                return answers;
            }

            foreach (var item in served.EnumerateArray())
            {
                if (Answer(item) is ({ } id, { } answer))
                {
                    answers[id] = answer;
                }
            }
        }
        catch (Exception ex) when (ex is ServiceNowException or HttpRequestException or JsonException or FormatException or InvalidOperationException or OperationCanceledException or IOException)
        {
            // The reads go alone instead; whatever the batch met, they meet with their own retries.
        }

        return answers;
    }

    /// <summary>A served read's id and its answer as a response of its own, when it is a 200 with a body.</summary>
    private static (string? Id, HttpResponseMessage? Answer) Answer(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String
            || !item.TryGetProperty("status_code", out var statusElement) || !statusElement.TryGetInt32(out var status) || status != (int)HttpStatusCode.OK
            || !item.TryGetProperty("body", out var bodyElement) || bodyElement.ValueKind != JsonValueKind.String)
        {
            return (null, null);
        }

        var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bodyElement.GetBytesFromBase64()) };
        if (item.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Array)
        {
            foreach (var header in headers.EnumerateArray())
            {
                var name = header.TryGetProperty("name", out var n) ? n.GetString() : null;
                var value = header.TryGetProperty("value", out var v) ? v.GetString() : null;
                if (string.IsNullOrEmpty(name) || value is null)
                {
                    continue;
                }

                // Content headers (Content-Type) belong to the content; the others (X-Total-Count, Link) to the answer.
                if (!answer.Headers.TryAddWithoutValidation(name, value))
                {
                    answer.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        return (idElement.GetString(), answer);
    }

    private static void WriteBody(Stream stream, List<WaitingRead> batch)
    {
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("batch_request_id", Guid.NewGuid().ToString("N"));
        json.WriteStartArray("rest_requests");
        foreach (var read in batch)
        {
            json.WriteStartObject();
            json.WriteString("id", read.Id);
            json.WriteString("url", read.PathAndQuery);
            json.WriteString("method", "GET");
            json.WriteStartArray("headers");
            json.WriteStartObject();
            json.WriteString("name", "Accept");
            json.WriteString("value", "application/json");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// The body of one batch: it takes the waiting reads when it is first written (a retry of the same call
    /// writes the same reads again).
    /// </summary>
    private sealed class BatchContent : HttpContent
    {
        private readonly SmallReadBatch _owner;
        private byte[]? _body;

        public BatchContent(SmallReadBatch owner)
        {
            _owner = owner;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        /// <summary>The reads this call carries; null until its body was written.</summary>
        public List<WaitingRead>? Taken { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            if (_body is null)
            {
                Taken = _owner.TakeWaiting();
                using var buffer = new MemoryStream();
                WriteBody(buffer, Taken);
                _body = buffer.ToArray();
            }

            await stream.WriteAsync(_body, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            // Unknown until the reads are taken: the body then goes chunked.
            length = _body?.LongLength ?? 0;
            return _body is not null;
        }
    }

    /// <summary>A read waiting for its batch.</summary>
    private sealed class WaitingRead(string pathAndQuery)
    {
        private static long _next;

        public string Id { get; } = Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);

        public string PathAndQuery { get; } = pathAndQuery;

        public TaskCompletionSource<HttpResponseMessage?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
