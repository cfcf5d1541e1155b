using System.Diagnostics;
using System.Text.Json;

namespace CloneFlow.Core.ServiceNow.Tables;

/// <summary>
/// One Table API row as field -> value text (reference fields as their sys_id). Values are null
/// when ServiceNow sent null; missing fields are absent.
/// </summary>
public sealed class ServiceNowRecord
{
    private readonly Dictionary<string, string?> _values;

    /// <summary>Creates a record from field values.</summary>
    public ServiceNowRecord(IEnumerable<KeyValuePair<string, string?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, string?>(values, StringComparer.Ordinal);
    }

    /// <summary>The fields and their values.</summary>
    public IReadOnlyDictionary<string, string?> Values => _values;

    /// <summary>The record's sys_id (empty when the row has none).</summary>
    public string SysId => Get("sys_id") ?? string.Empty;

    /// <summary>The value of <paramref name="field"/>, or null when absent or null.</summary>
    public string? Get(string field) => _values.GetValueOrDefault(field);

    private ServiceNowRecord(Dictionary<string, string?> values) => _values = values;

    /// <summary>A record over <paramref name="values"/> as they are, without a copy: only for a dictionary built for this record alone.</summary>
    internal static ServiceNowRecord Wrap(Dictionary<string, string?> values)
    {
        Debug.Assert(values.Comparer == StringComparer.Ordinal, "field names compare ordinally");
        return new ServiceNowRecord(values);
    }

    /// <summary>Reads one element of a Table API <c>result</c>.</summary>
    internal static ServiceNowRecord FromJson(JsonElement element)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            values[property.Name] = ValueOf(property.Value);
        }

        return Wrap(values);
    }

    /// <summary>A field's value as the client keeps it: text, null, a reference's value, or the JSON of anything else.</summary>
    internal static string? ValueOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        // A reference rendered as {"link", "value"} or {"display_value", "value"}.
        JsonValueKind.Object when value.TryGetProperty("value", out var inner) => inner.ValueKind == JsonValueKind.String ? inner.GetString() : inner.GetRawText(),
        _ => value.GetRawText(),
    };
}
