using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace CloneFlow.Simulator.Http;

/// <summary><c>POST /api/now/v1/batch</c>: many REST calls in one, each body base64 in and out, run as the outer caller.</summary>
internal sealed class BatchApi(Func<SimRequest, Principal, SimResponse?> dispatch)
{
    public SimResponse Handle(SimRequest outer, Principal user)
    {
        if (outer.Method != "POST")
        {
            return Json.Error(405, "Method not Supported", "The batch API accepts POST only");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(outer.Body);
        }
        catch (JsonException)
        {
            return Json.Error(400, "Exception while reading request", "The batch request is not valid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rest_requests", out var requests) || requests.ValueKind != JsonValueKind.Array)
            {
                return Json.Error(400, "Exception while reading request", "rest_requests is missing or not an array.");
            }

            var batchId = root.TryGetProperty("batch_request_id", out var id) ? Json.Text(id) : string.Empty;
            var serviced = new List<Dictionary<string, object>>();
            var unserviced = new List<string>();
            foreach (var item in requests.EnumerateArray())
            {
                var requestId = item.TryGetProperty("id", out var rid) ? Json.Text(rid) : string.Empty;
                var inner = ToRequest(outer, item);
                var started = DateTime.UtcNow;
                var response = inner is null ? null : dispatch(inner, user);
                if (response is null)
                {
                    unserviced.Add(requestId);
                    continue;
                }

                var excludeHeaders = item.TryGetProperty("exclude_response_headers", out var ex) && ex.ValueKind == JsonValueKind.True;
                var headers = excludeHeaders
                    ? []
                    : response.Headers.Select(h => new Dictionary<string, string> { ["name"] = h.Key, ["value"] = h.Value })
                        .Append(new Dictionary<string, string> { ["name"] = "Content-Type", ["value"] = response.ContentType })
                        .ToList();
                serviced.Add(new Dictionary<string, object>
                {
                    ["id"] = requestId,
                    ["body"] = Convert.ToBase64String(response.Body ?? []),
                    ["status_code"] = response.Status,
                    ["status_text"] = ReasonPhrases.GetReasonPhrase(response.Status),
                    ["headers"] = headers,
                    ["execution_time"] = (int)(DateTime.UtcNow - started).TotalMilliseconds,
                });
            }

            return new SimResponse(200, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["batch_request_id"] = batchId,
                ["serviced_requests"] = serviced,
                ["unserviced_requests"] = unserviced,
            }));
        }
    }

    private static SimRequest? ToRequest(SimRequest outer, JsonElement item)
    {
        if (!item.TryGetProperty("url", out var urlElement) || !item.TryGetProperty("method", out var methodElement))
        {
            return null;
        }

        var url = Json.Text(urlElement);
        if (!url.StartsWith("/api/", StringComparison.Ordinal) || url.StartsWith("/api/now/v1/batch", StringComparison.Ordinal))
        {
            return null;
        }

        byte[] body = [];
        if (item.TryGetProperty("body", out var bodyElement) && bodyElement.ValueKind == JsonValueKind.String)
        {
            try
            {
                body = Convert.FromBase64String(bodyElement.GetString() ?? string.Empty);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        var question = url.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? url : url[..question];
        var query = question < 0 ? [] : ParseQuery(url[(question + 1)..]);
        return outer with
        {
            Method = Json.Text(methodElement).ToUpperInvariant(),
            Path = path,
            Query = query,
            Body = body,
            ContentType = "application/json",
        };
    }

    public static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            pairs.Add(new(Decode(key), Decode(value)));
        }

        return pairs;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
