using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CloneFlow.Simulator.Http;

/// <summary>An API call as the simulator sees it, whether it came over HTTP or inside a batch.</summary>
internal sealed record SimRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    byte[] Body,
    string? Authorization,
    string? ContentType,
    string BaseUrl)
{
    public string? Param(string name)
    {
        foreach (var (key, value) in Query)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    public bool Flag(string name) => string.Equals(Param(name), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The answer to a <see cref="SimRequest"/>.</summary>
internal sealed class SimResponse
{
    private readonly byte[]? _body;
    private readonly Action<Utf8JsonWriter>? _render;

    public SimResponse(int status, byte[]? body = null)
    {
        Status = status;
        _body = body;
    }

    /// <summary>
    /// A JSON answer rendered as it is sent: over HTTP it is written straight into the connection's
    /// pooled buffers (a page of a few hundred KB would otherwise be a large array built, grown and
    /// copied for every call, which is most of what serving it costs); inside a batch it becomes bytes.
    /// </summary>
    public SimResponse(int status, Action<Utf8JsonWriter> render)
    {
        ArgumentNullException.ThrowIfNull(render);
        Status = status;
        _render = render;
    }

    public int Status { get; }

    /// <summary>The body as bytes (a rendered answer is rendered now, each time it is asked for).</summary>
    public byte[]? Body => _render is null ? _body : Json.Write(_render);

    /// <summary>True when there is a body to send.</summary>
    public bool HasBody => _render is not null || _body is { Length: > 0 };

    public string ContentType { get; init; } = "application/json;charset=UTF-8";

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public SimResponse With(string header, string value)
    {
        Headers.Add(new(header, value));
        return this;
    }

    /// <summary>True when the body is rendered as it is sent (see the constructor taking a renderer).</summary>
    public bool IsRendered => _render is not null;

    /// <summary>Writes the body to <paramref name="output"/>: a rendered answer without ever being whole in one array.</summary>
    public async Task WriteBodyAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (_render is not null)
        {
            using (var writer = new Utf8JsonWriter(output, Json.WriterOptions))
            {
                _render(writer);
            }
        }
        else if (_body is { Length: > 0 } body)
        {
            output.Write(body.AsSpan());
        }

        await output.FlushAsync(cancellationToken);
    }
}

/// <summary>JSON writing helpers and ServiceNow's error shapes.</summary>
internal static class Json
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    public static SimResponse Serialize<T>(int status, T value) => new(status, JsonSerializer.SerializeToUtf8Bytes(value, SerializerOptions));

    /// <summary>ServiceNow's REST error: <c>{"error":{"message","detail"},"status":"failure"}</c>.</summary>
    public static SimResponse Error(int status, string message, string? detail) =>
        new(status, Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            if (detail is null)
            {
                w.WriteNull("detail");
            }
            else
            {
                w.WriteString("detail", detail);
            }

            w.WriteEndObject();
            w.WriteString("status", "failure");
            w.WriteEndObject();
        }));

    public static SimResponse NotAuthenticated() =>
        Error(401, "User Not Authenticated", "Required to provide Auth information")
            .With("WWW-Authenticate", "BASIC realm=\"Service-now\"");

    public static SimResponse NotAuthorized(string detail) => Error(403, "User Not Authorized", detail);

    public static SimResponse NoResource() => Error(400, "Requested URI does not represent any resource", null);

    /// <summary>The OAuth endpoint's error shape.</summary>
    public static SimResponse OAuthError(int status, string error, string description) =>
        new(status, Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("error_description", description);
            w.WriteString("error", error);
            w.WriteEndObject();
        }));

    /// <summary>Reads a JSON object body into field -> text (numbers and booleans as their text, {"value":x} as x).</summary>
    public static Dictionary<string, string>? ReadFields(byte[] body)
    {
        if (body.Length == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                fields[property.Name] = Text(property.Value);
            }

            return fields;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        JsonValueKind.Object when value.TryGetProperty("value", out var inner) => Text(inner),
        _ => value.GetRawText(),
    };

    public static string Utf8(byte[] body) => Encoding.UTF8.GetString(body);
}
