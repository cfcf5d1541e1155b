using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CloneFlow.Core.ServiceNow.Auth;
using CloneFlow.Core.ServiceNow.Batch;
using CloneFlow.Core.ServiceNow.CiCd;
using CloneFlow.Core.ServiceNow.Http;
using CloneFlow.Core.ServiceNow.Tables;
using Microsoft.Extensions.Http.Resilience;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CloneFlow.Core.ServiceNow;

/// <summary>
/// The client for one ServiceNow instance: Table API reads streamed page by page, inserts (single and
/// through the Batch API, idempotent by sys_id), updates, deletes, and the asynchronous CI/CD calls
/// split into "start" and "get progress" so the workflow polls on durable timers. Retries, Retry-After,
/// the circuit breaker and the concurrency limit live in its HTTP pipeline; every failure surfaces as
/// one <see cref="ServiceNowException"/>.
/// </summary>
public sealed class ServiceNowClient : IDisposable
{
    private static readonly string[] RequestIdHeaders = ["X-Request-Id", "X-Transaction-ID", "X-Correlation-Id"];

    /// <summary>Rows each range of a ranged read may have waiting while the caller is busy.</summary>
    private const int RowsBufferedPerRange = 16;
    private readonly HttpClient _http;
    private readonly HttpClient _tokenHttp;
    private readonly ServiceNowClientOptions _options;
    private readonly SemaphoreSlim _readPlaces;
    private readonly TimeProvider _time;
    private readonly OAuthTokenProvider? _tokens;

    /// <summary>Creates a client for the instance at <paramref name="endpoint"/> (e.g. <c>https://acme.service-now.com</c>).</summary>
    /// <param name="endpoint">The instance base URL, from configuration only.</param>
    /// <param name="credential">How to sign in.</param>
    /// <param name="options">Tuning; defaults when null.</param>
    /// <param name="transport">The innermost HTTP handler (tests, proxies); a pooled <see cref="SocketsHttpHandler"/> when null.</param>
    /// <param name="timeProvider">The clock for token expiry and backoff.</param>
    public ServiceNowClient(Uri endpoint, ServiceNowCredential credential, ServiceNowClientOptions? options = null, HttpMessageHandler? transport = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{endpoint}' is not an http(s) instance URL.", nameof(endpoint));
        }

        _options = options ?? new ServiceNowClientOptions();
        _options.Validate();
        var reads = _options.MaxConcurrentReads ?? _options.MaxConcurrentRequests;
        _readPlaces = new SemaphoreSlim(reads, reads);
        _time = timeProvider ?? TimeProvider.System;
        Endpoint = new Uri(endpoint.GetLeftPart(UriPartial.Authority));
        var pipeline = ServiceNowResiliencePipeline.Create(_options, _time);
        var innermost = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

        // The token endpoint shares the transport and the resilience pipeline but not the auth handler.
        _tokenHttp = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = new SharedTransport(innermost) }) { Timeout = Timeout.InfiniteTimeSpan };
        _tokens = credential is BasicCredential ? null : new OAuthTokenProvider(_tokenHttp, Endpoint, credential, _time, _options.TokenRefreshMargin);
        _http = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = new ServiceNowAuthHandler(credential, _tokens, innermost) })
        {
            BaseAddress = Endpoint,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CloneFlow", "1.0"));
    }

    /// <summary>The instance base URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// Waits for one of the places for long multi-page reads (<see cref="ServiceNowClientOptions.MaxConcurrentReads"/>)
    /// and holds it until the returned value is disposed. Callers that read many pages each (exports) take one
    /// per read, so readers that started keep the request slots busy and finish, instead of every reader of
    /// a large job taking turns page by page and all finishing together at the end.
    /// </summary>
    public async Task<IDisposable> TakeReadPlaceAsync(CancellationToken cancellationToken = default)
    {
        await _readPlaces.WaitAsync(cancellationToken);
        return new ReadPlace(_readPlaces);
    }

    /// <summary>
    /// Streams every row of <paramref name="table"/> matching <paramref name="query"/>, ordered by sys_id.
    /// Pages continue after the last sys_id seen (keyset paging), so rows inserted or deleted while
    /// reading never make the reader skip or repeat a row.
    /// </summary>
    public async IAsyncEnumerable<ServiceNowRecord> GetRecordsAsync(
        string table,
        TableQuery? query = null,
        IReadOnlyList<string>? fields = null,
        int? pageSize = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in GetRowsAsync(table, query, fields, pageSize, null, cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>
    /// Streams every row of <paramref name="table"/> matching <paramref name="query"/>, reading the disjoint
    /// sys_id ranges of <paramref name="split"/>, <see cref="SysIdSplit.AtOnce"/> of them at a time (each with
    /// keyset paging, as <see cref="GetRecordsAsync(string, TableQuery?, IReadOnlyList{string}?, int?, CancellationToken)"/>),
    /// so a large read keeps several requests in flight within the concurrency limit. Rows come in the
    /// order they arrive, not in sys_id order; the ranges cover every possible sys_id, so no row is
    /// skipped or repeated. Rows are parsed as the answer arrives: while the caller is busy, each range
    /// holds a few rows, never a whole page.
    /// </summary>
    /// <param name="table">The table.</param>
    /// <param name="query">The filter (no ORDERBY).</param>
    /// <param name="split">The ranges, and how many are read at once.</param>
    /// <param name="fields">The fields to return; all when null.</param>
    /// <param name="pageSize">Rows per request.</param>
    /// <param name="count">
    /// When given, every request also asks for ServiceNow's count (X-Total-Count), so no count call of
    /// its own is needed; this holds, summed over the ranges, the rows read plus the rows ServiceNow
    /// counted ahead of the reader at its latest page. A full page that ServiceNow counts as the last
    /// ends the range without an empty request after it. A row added ahead of the reader is counted
    /// by the next page and read; the caller checks what it wrote against this count.
    /// </param>
    /// <param name="cancellationToken">Stops the read.</param>
    public async IAsyncEnumerable<ServiceNowRecord> GetRecordsInRangesAsync(
        string table,
        TableQuery? query,
        SysIdSplit split,
        IReadOnlyList<string>? fields = null,
        int? pageSize = null,
        RecordCount? count = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TableNames.Check(table);
        ArgumentNullException.ThrowIfNull(split);
        var ranges = split.RangesOf(query ?? TableQuery.All);
        if (ranges.Count == 1)
        {
            await foreach (var row in GetRowsAsync(table, ranges[0], fields, pageSize, count, cancellationToken))
            {
                yield return row;
            }

            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var atOnce = Math.Min(split.AtOnce, ranges.Count);
        var rows = System.Threading.Channels.Channel.CreateBounded<ServiceNowRecord>(new System.Threading.Channels.BoundedChannelOptions(RowsBufferedPerRange * atOnce) { SingleReader = true });
        // Ranges are taken in order as readers free up: the first ranges finish first.
        var readers = Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = atOnce, CancellationToken = stop.Token }, async (range, token) =>
        {
            await foreach (var row in GetRowsAsync(table, range, fields, pageSize, count, token))
            {
                await rows.Writer.WriteAsync(row, token);
            }
        });
        var completion = readers.ContinueWith(done => rows.Writer.TryComplete(done.Exception?.InnerException), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            await foreach (var row in rows.Reader.ReadAllAsync(cancellationToken))
            {
                yield return row;
            }
        }
        finally
        {
            // The caller stopped early or failed: stop the other readers and let them finish.
            await stop.CancelAsync();
            await completion;
        }
    }

    /// <summary>The rows of one query by keyset paging, each page streamed as its answer arrives.</summary>
    private async IAsyncEnumerable<ServiceNowRecord> GetRowsAsync(
        string table,
        TableQuery? query,
        IReadOnlyList<string>? fields,
        int? pageSize,
        RecordCount? count,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TableNames.Check(table);
        query ??= TableQuery.All;
        if (query.HasOrdering)
        {
            throw new ArgumentException("GetRecordsAsync orders by sys_id itself (keyset paging); leave ORDERBY out of the query.", nameof(query));
        }

        var limit = pageSize ?? _options.PageSize;
        var operation = $"GET {table}";
        string? after = null;
        long read = 0;
        long? counted = null;
        while (true)
        {
            var page = (after is null ? query : query.AndGreaterThan("sys_id", after)).OrderBy("sys_id");
            var path = TablePath(table) + Query(
                ("sysparm_query", page.Encoded),
                ("sysparm_limit", limit.ToString(CultureInfo.InvariantCulture)),
                ("sysparm_no_count", count is null ? "true" : string.Empty),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_display_value", "false"),
                ("sysparm_fields", FieldList(fields)));
            using var response = await SendAsync(HttpMethod.Get, path, null, operation, cancellationToken);

            // The count is of this page's query: the rows from this page to the end of the range.
            long? ahead = null;
            if (count is not null)
            {
                ahead = TotalCount(response, operation);
                count.Report(counted, read + ahead.Value);
                counted = read + ahead.Value;
            }

            var rows = 0;
            string? last = null;
            await foreach (var row in ReadResultRowsAsync(response, operation, cancellationToken))
            {
                rows++;
                last = row.SysId;
                yield return row;
            }

            read += rows;
            if (rows < limit || ahead <= rows)
            {
                // A short page, or a full one that ServiceNow counted as the last: no empty request after it.
                yield break;
            }

            after = last;
            if (string.IsNullOrEmpty(after))
            {
                throw new ServiceNowException(null, $"rows of {table} came back without sys_id; keyset paging needs it", null, null, operation);
            }
        }
    }

    /// <summary>How many rows match (ServiceNow's X-Total-Count).</summary>
    public async Task<long> CountAsync(string table, TableQuery? query = null, CancellationToken cancellationToken = default)
    {
        TableNames.Check(table);
        var path = TablePath(table) + Query(("sysparm_query", (query ?? TableQuery.All).Encoded), ("sysparm_limit", "1"), ("sysparm_fields", "sys_id"));
        using var response = await SendAsync(HttpMethod.Get, path, null, $"GET {table} (count)", cancellationToken);
        if (response.Headers.TryGetValues("X-Total-Count", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var total))
        {
            return total;
        }

        throw new ServiceNowException(response.StatusCode, "the answer has no X-Total-Count header", null, RequestId(response), $"GET {table} (count)");
    }

    /// <summary>One row by sys_id, or null when there is none.</summary>
    public async Task<ServiceNowRecord?> GetRecordAsync(string table, string sysId, IReadOnlyList<string>? fields = null, CancellationToken cancellationToken = default)
    {
        var path = $"{TablePath(table)}/{TableNames.CheckSysId(sysId)}" + Query(("sysparm_exclude_reference_link", "true"), ("sysparm_fields", FieldList(fields)));
        using var response = await SendAsync(HttpMethod.Get, path, null, $"GET {table}/{sysId}", cancellationToken, allowNotFound: true);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadResultAsync(response, cancellationToken);
    }

    /// <summary>Inserts one row (a sys_id in <paramref name="values"/> is kept). Not retried after an uncertain failure: use <see cref="EnsureInsertedAsync"/> to be idempotent.</summary>
    public async Task<ServiceNowRecord> InsertAsync(string table, IReadOnlyDictionary<string, string?> values, CancellationToken cancellationToken = default)
    {
        TableNames.Check(table);
        using var content = JsonBody(values);
        using var response = await SendAsync(HttpMethod.Post, TablePath(table) + Query(("sysparm_exclude_reference_link", "true")), content, $"POST {table}", cancellationToken);
        return await ReadResultAsync(response, cancellationToken);
    }

    /// <summary>Changes the given fields of one row (PATCH).</summary>
    public async Task<ServiceNowRecord> UpdateAsync(string table, string sysId, IReadOnlyDictionary<string, string?> values, CancellationToken cancellationToken = default)
    {
        using var content = JsonBody(values);
        var path = $"{TablePath(table)}/{TableNames.CheckSysId(sysId)}" + Query(("sysparm_exclude_reference_link", "true"));
        using var response = await SendAsync(HttpMethod.Patch, path, content, $"PATCH {table}/{sysId}", cancellationToken);
        return await ReadResultAsync(response, cancellationToken);
    }

    /// <summary>Deletes one row; false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(string table, string sysId, CancellationToken cancellationToken = default)
    {
        var path = $"{TablePath(table)}/{TableNames.CheckSysId(sysId)}";
        using var response = await SendAsync(HttpMethod.Delete, path, null, $"DELETE {table}/{sysId}", cancellationToken, allowNotFound: true);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>
    /// Inserts rows that each carry their sys_id, exactly once however often it is called: rows already
    /// present are left alone, rows whose insert had an uncertain outcome are looked up again before
    /// a retry. Through the Batch API (one call per <see cref="ServiceNowClientOptions.BatchSize"/> rows)
    /// or one Table API call per row; chunks of that size are inserted in parallel within the
    /// concurrency limit, and the outcomes come back in the order of <paramref name="rows"/>.
    /// </summary>
    public async Task<IReadOnlyList<InsertOutcome>> EnsureInsertedAsync(
        string table,
        IReadOnlyList<IReadOnlyDictionary<string, string?>> rows,
        bool useBatchApi = true,
        CancellationToken cancellationToken = default)
    {
        TableNames.Check(table);
        ArgumentNullException.ThrowIfNull(rows);
        // Chunks go in parallel (the pipeline's concurrency limit still caps the calls in flight): one
        // chunk at a time would leave the instance's other API slots idle behind each lookup and insert.
        var chunks = rows.Chunk(_options.BatchSize).ToList();
        var results = new List<InsertOutcome>[chunks.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, chunks.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = cancellationToken },
            async (index, token) => results[index] = await EnsureChunkInsertedAsync(table, chunks[index], useBatchApi, token));
        return results.SelectMany(r => r).ToList();
    }

    /// <summary>Starts a preview of a loaded remote update set (the batch base for a batch).</summary>
    public Task<CiCdProgress> StartUpdateSetPreviewAsync(string remoteUpdateSetId, CancellationToken cancellationToken = default) =>
        StartCiCdAsync($"/api/sn_cicd/update_set/preview/{TableNames.CheckSysId(remoteUpdateSetId)}", [], cancellationToken);

    /// <summary>Starts the commit of a previewed remote update set.</summary>
    public Task<CiCdProgress> StartUpdateSetCommitAsync(string remoteUpdateSetId, bool forceCommit = false, CancellationToken cancellationToken = default) =>
        StartCiCdAsync($"/api/sn_cicd/update_set/commit/{TableNames.CheckSysId(remoteUpdateSetId)}", [("force_commit", Bool(forceCommit))], cancellationToken);

    /// <summary>Starts committing several remote update sets in the given order.</summary>
    public Task<CiCdProgress> StartUpdateSetCommitMultipleAsync(IReadOnlyList<string> remoteUpdateSetIds, bool forceCommit = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remoteUpdateSetIds);
        var ids = string.Join(',', remoteUpdateSetIds.Select(TableNames.CheckSysId));
        return StartCiCdAsync("/api/sn_cicd/update_set/commitMultiple", [("remote_update_set_ids", ids), ("force_commit", Bool(forceCommit))], cancellationToken);
    }

    /// <summary>Starts backing out a committed local update set.</summary>
    public Task<CiCdProgress> StartUpdateSetBackOutAsync(string updateSetId, bool rollbackInstalls = false, CancellationToken cancellationToken = default) =>
        StartCiCdAsync("/api/sn_cicd/update_set/back_out", [("update_set_id", TableNames.CheckSysId(updateSetId)), ("rollback_installs", Bool(rollbackInstalls))], cancellationToken);

    /// <summary>Starts activating a plugin by its id (e.g. <c>com.snc.incident_management</c>).</summary>
    public Task<CiCdProgress> StartPluginActivationAsync(string pluginId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pluginId);
        return StartCiCdAsync($"/api/sn_cicd/plugin/{Uri.EscapeDataString(pluginId)}/activate", [], cancellationToken);
    }

    /// <summary>The current state of a CI/CD job.</summary>
    public async Task<CiCdProgress> GetProgressAsync(string progressId, CancellationToken cancellationToken = default)
    {
        var path = $"/api/sn_cicd/progress/{TableNames.CheckSysId(progressId)}";
        using var response = await SendAsync(HttpMethod.Get, path, null, $"GET progress {progressId}", cancellationToken);
        return await ReadProgressAsync(response, $"GET progress {progressId}", cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _tokenHttp.Dispose();
        _tokens?.Dispose();
        _readPlaces.Dispose();
    }

    private async Task<List<InsertOutcome>> EnsureChunkInsertedAsync(string table, IReadOnlyDictionary<string, string?>[] chunk, bool useBatchApi, CancellationToken cancellationToken)
    {
        var bySysId = new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.Ordinal);
        foreach (var row in chunk)
        {
            var sysId = row.TryGetValue("sys_id", out var id) && !string.IsNullOrEmpty(id)
                ? TableNames.CheckSysId(id)
                : throw new ArgumentException($"Every row given to EnsureInsertedAsync needs its sys_id (table {table}).", nameof(chunk));
            if (!bySysId.TryAdd(sysId, row))
            {
                throw new ArgumentException($"sys_id {sysId} appears twice in the rows for {table}.", nameof(chunk));
            }
        }

        var outcomes = new Dictionary<string, InsertOutcome>(StringComparer.Ordinal);
        var pending = bySysId.Keys.ToList();
        var rounds = _options.InsertRounds;
        for (var round = 1; round <= rounds && pending.Count > 0; round++)
        {
            if (round > 1)
            {
                // Give a struggling instance a moment before the next round.
                await Task.Delay(Min(_options.RetryDelay * round, _options.MaxRetryDelay), _time, cancellationToken);
            }

            var present = await ExistingSysIdsAsync(table, pending, cancellationToken);
            foreach (var sysId in pending.Where(present.Contains))
            {
                // Present before this call, or inserted by an attempt whose answer was lost.
                outcomes[sysId] = new InsertOutcome(sysId, outcomes.ContainsKey(sysId) ? InsertStatus.Inserted : InsertStatus.AlreadyPresent);
            }

            var missing = pending.Where(s => !present.Contains(s)).ToList();
            var attempt = useBatchApi
                ? await InsertThroughBatchAsync(table, missing.Select(s => bySysId[s]).ToList(), cancellationToken)
                : await InsertOneByOneAsync(table, missing.Select(s => bySysId[s]).ToList(), cancellationToken);
            pending = [];
            foreach (var sysId in missing)
            {
                switch (attempt.GetValueOrDefault(sysId))
                {
                    case { Status: InsertStatus.Inserted or InsertStatus.Failed } final:
                        outcomes[sysId] = final;
                        break;
                    case var uncertain:
                        // No answer, a 5xx or unserviced: it may or may not be there; look again next round.
                        outcomes[sysId] = uncertain ?? new InsertOutcome(sysId, InsertStatus.Failed, "no answer");
                        pending.Add(sysId);
                        break;
                }
            }

            if (round == rounds)
            {
                var last = await ExistingSysIdsAsync(table, pending, cancellationToken);
                foreach (var sysId in pending)
                {
                    outcomes[sysId] = last.Contains(sysId)
                        ? new InsertOutcome(sysId, InsertStatus.Inserted)
                        : new InsertOutcome(sysId, InsertStatus.Failed, outcomes[sysId].Error ?? "not inserted after retries");
                }
            }
        }

        return bySysId.Keys.Select(s => outcomes[s]).ToList();
    }

    private async Task<HashSet<string>> ExistingSysIdsAsync(string table, List<string> sysIds, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (sysIds.Count == 0)
        {
            return found;
        }

        await foreach (var row in GetRecordsAsync(table, TableQuery.All.AndIn("sys_id", sysIds), ["sys_id"], cancellationToken: cancellationToken))
        {
            found.Add(row.SysId);
        }

        return found;
    }

    /// <summary>Inserted, Failed (refused for good) or absent (uncertain) per sys_id.</summary>
    private async Task<Dictionary<string, InsertOutcome>> InsertOneByOneAsync(string table, List<IReadOnlyDictionary<string, string?>> rows, CancellationToken cancellationToken)
    {
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, InsertOutcome>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = cancellationToken }, async (row, token) =>
        {
            var sysId = row["sys_id"]!;
            try
            {
                await InsertAsync(table, row, token);
                results[sysId] = new InsertOutcome(sysId, InsertStatus.Inserted);
            }
            catch (ServiceNowException ex) when (!ex.IsTransient && ex.Status != HttpStatusCode.Conflict)
            {
                // The instance's detail names the cause (e.g. "Unknown target instance"); its message alone rarely does.
                results[sysId] = new InsertOutcome(sysId, InsertStatus.Failed, ex.Detail is { Length: > 0 } detail ? $"{ex.ServiceMessage}: {detail}" : ex.ServiceMessage);
            }
            catch (ServiceNowException)
            {
                // Transient or a conflict: the next round looks the row up before trying again.
            }
        });
        return new Dictionary<string, InsertOutcome>(results, StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, InsertOutcome>> InsertThroughBatchAsync(string table, List<IReadOnlyDictionary<string, string?>> rows, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, InsertOutcome>(StringComparer.Ordinal);
        if (rows.Count == 0)
        {
            return results;
        }

        using var content = BatchBody(table, rows);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Post, "/api/now/v1/batch", content, $"POST batch ({rows.Count} {table} rows)", cancellationToken);
        }
        catch (ServiceNowException ex) when (ex.IsTransient)
        {
            return results;
        }

        using (response)
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            if (!json.RootElement.TryGetProperty("serviced_requests", out var serviced) || serviced.ValueKind != JsonValueKind.Array)
            {
                return results;
            }

            foreach (var item in serviced.EnumerateArray())
            {
                var id = item.GetProperty("id").GetString() ?? string.Empty;
                var status = item.TryGetProperty("status_code", out var code) && code.TryGetInt32(out var c) ? c : 0;
                if (status is >= 200 and < 300)
                {
                    results[id] = new InsertOutcome(id, InsertStatus.Inserted);
                }
                else if (status is >= 400 and < 500 and not 408 and not 409 and not 429)
                {
                    results[id] = new InsertOutcome(id, InsertStatus.Failed, BatchError(item, status));
                }
            }
        }

        return results;
    }

    private static StringContent BatchBody(string table, List<IReadOnlyDictionary<string, string?>> rows)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("batch_request_id", Guid.NewGuid().ToString("N"));
            json.WriteStartArray("rest_requests");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("id", row["sys_id"]);
                json.WriteString("url", TablePath(table));
                json.WriteString("method", "POST");
                json.WriteStartArray("headers");
                foreach (var (name, value) in new[] { ("Content-Type", "application/json"), ("Accept", "application/json") })
                {
                    json.WriteStartObject();
                    json.WriteString("name", name);
                    json.WriteString("value", value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteBase64String("body", JsonSerializer.SerializeToUtf8Bytes(row));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return new StringContent(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), Encoding.UTF8, "application/json");
    }

    private static string BatchError(JsonElement item, int status)
    {
        if (item.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(Convert.FromBase64String(body.GetString()!));
                var (message, detail) = ErrorOf(inner.RootElement);
                return detail is null ? message : $"{message} ({detail})";
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                // Fall through to the status.
            }
        }

        return $"HTTP {status}";
    }

    private async Task<CiCdProgress> StartCiCdAsync(string path, (string Name, string Value)[] parameters, CancellationToken cancellationToken)
    {
        var operation = $"POST {path}";
        using var content = new StringContent(string.Empty, Encoding.UTF8, "application/json");
        using var response = await SendAsync(HttpMethod.Post, path + Query(parameters), content, operation, cancellationToken);
        return await ReadProgressAsync(response, operation, cancellationToken);
    }

    private static async Task<CiCdProgress> ReadProgressAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            return CiCdProgress.FromJson(json.RootElement.GetProperty("result"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ServiceNowException(response.StatusCode, $"the CI/CD answer could not be read: {ex.Message}", null, RequestId(response), operation, null, ex);
        }
    }

    /// <summary>ServiceNow's count of the query's rows (X-Total-Count), asked for with a page.</summary>
    private static long TotalCount(HttpResponseMessage response, string operation) =>
        response.Headers.TryGetValues("X-Total-Count", out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var total)
            ? total
            : throw new ServiceNowException(response.StatusCode, "the answer has no X-Total-Count header", null, RequestId(response), operation);

    /// <summary>The rows of a Table API answer as its bytes arrive (see <see cref="TableResultParser"/>).</summary>
    private static async IAsyncEnumerable<ServiceNowRecord> ReadResultRowsAsync(HttpResponseMessage response, string operation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var pipe = System.IO.Pipelines.PipeReader.Create(stream, new System.IO.Pipelines.StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var parser = new TableResultParser();
        var rows = new List<ServiceNowRecord>();
        try
        {
            while (!parser.Done)
            {
                var read = await pipe.ReadAsync(cancellationToken);
                rows.Clear();
                pipe.AdvanceTo(Parse(parser, read, rows, response, operation), read.Buffer.End);
                foreach (var row in rows)
                {
                    yield return row;
                }
            }
        }
        finally
        {
            await pipe.CompleteAsync();
        }
    }

    private static SequencePosition Parse(TableResultParser parser, System.IO.Pipelines.ReadResult read, List<ServiceNowRecord> rows, HttpResponseMessage response, string operation)
    {
        try
        {
            return parser.Parse(read.Buffer, read.IsCompleted, rows);
        }
        catch (JsonException ex)
        {
            throw new ServiceNowException(response.StatusCode, $"the answer is not a Table API result list: {ex.Message}", null, RequestId(response), operation, null, ex);
        }
    }

    private static async Task<ServiceNowRecord> ReadResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return ServiceNowRecord.FromJson(json.RootElement.GetProperty("result"));
    }

    /// <summary>Sends through the pipeline and turns every failure into a <see cref="ServiceNowException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, string operation, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        operation = $"{operation} on {Endpoint.Host}";
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(Endpoint, pathAndQuery)) { Content = content };
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ServiceNowException(null, $"no answer from the instance: {ex.Message}", null, null, operation, null, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new ServiceNowException(null, "the instance did not answer in time", null, null, operation, null, ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ServiceNowException(null, "calls are paused: the instance failed repeatedly (circuit open)", null, null, operation, null, ex);
        }

        if (response.IsSuccessStatusCode || (allowNotFound && response.StatusCode == HttpStatusCode.NotFound))
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var (message, detail) = ParseError(body, response.StatusCode);
            var retryAfter = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                ? ServiceNowResiliencePipeline.RetryAfter(response, _time)
                : null;
            throw new ServiceNowException(response.StatusCode, message, detail, RequestId(response), operation, retryAfter);
        }
    }

    private static (string Message, string? Detail) ParseError(string body, HttpStatusCode status)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return ErrorOf(json.RootElement);
        }
        catch (JsonException)
        {
            return (string.IsNullOrWhiteSpace(body) ? status.ToString() : body.Length > 300 ? body[..300] : body, null);
        }
    }

    private static (string Message, string? Detail) ErrorOf(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.Object)
            {
                var message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
                var detail = error.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                return (message ?? "ServiceNow gave no message", string.IsNullOrEmpty(detail) ? null : detail);
            }

            if (error.ValueKind == JsonValueKind.String)
            {
                return (error.GetString()!, root.TryGetProperty("error_description", out var description) ? description.GetString() : null);
            }
        }

        return ("ServiceNow gave no message", null);
    }

    private static string? RequestId(HttpResponseMessage response)
    {
        foreach (var header in RequestIdHeaders)
        {
            if (response.Headers.TryGetValues(header, out var values))
            {
                return values.FirstOrDefault();
            }
        }

        return null;
    }

    private static StringContent JsonBody(IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new StringContent(JsonSerializer.Serialize(values), Encoding.UTF8, "application/json");
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string TablePath(string table) => $"/api/now/v2/table/{TableNames.Check(table)}";

    private static string FieldList(IReadOnlyList<string>? fields) => fields is null ? string.Empty : string.Join(',', fields);

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Query(params (string Name, string Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value.Length > 0).ToList();
        return present.Count == 0
            ? string.Empty
            : "?" + string.Join('&', present.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>Lets the token client use the main client's transport without disposing it.</summary>
    private sealed class SharedTransport(HttpMessageHandler inner) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _invoker.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A held read place; released once, on the first dispose.</summary>
    private sealed class ReadPlace(SemaphoreSlim places) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                places.Release();
            }
        }
    }
}
