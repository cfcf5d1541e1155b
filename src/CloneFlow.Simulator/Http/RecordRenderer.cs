using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Http;

/// <summary>How the Table API renders values: <c>sysparm_display_value</c> false, true or all.</summary>
internal enum DisplayMode
{
    Value,
    Display,
    All,
}

/// <summary>The rendering parameters of one Table API call.</summary>
internal sealed record RenderOptions(IReadOnlyList<string>? Fields, DisplayMode Mode, bool ExcludeReferenceLink, string BaseUrl)
{
    /// <summary>True when rendering reads other rows (display values, dot-walks) and so must hold the lock.</summary>
    public bool NeedsLookups => Mode != DisplayMode.Value || (Fields?.Any(f => f.Contains('.', StringComparison.Ordinal)) ?? false);

    public static RenderOptions From(SimRequest request)
    {
        var fields = request.Param("sysparm_fields") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
        var mode = request.Param("sysparm_display_value")?.ToUpperInvariant() switch
        {
            "TRUE" => DisplayMode.Display,
            "ALL" => DisplayMode.All,
            _ => DisplayMode.Value,
        };
        return new RenderOptions(fields, mode, request.Flag("sysparm_exclude_reference_link"), request.BaseUrl);
    }
}

/// <summary>Writes rows as the Table API does: references as <c>{link, value}</c>, display values on request, hidden fields never.</summary>
internal static class RecordRenderer
{
    /// <summary>
    /// Rows rendered with every field as plain values and no links (what an export asks for), kept with the
    /// row they render: rows are never changed in place, so a row's JSON is made once per schema shape and
    /// later pages copy it. The simulated instance's cost is its latency, not this process's CPU, which a
    /// benchmark shares with the client it measures.
    /// </summary>
    private static readonly ConditionalWeakTable<IReadOnlyDictionary<string, string>, RenderedRow> Rendered = new();

    public static void Write(Utf8JsonWriter writer, SimulatedInstance instance, TableSchema schema, IReadOnlyDictionary<string, string> row, RenderOptions options)
    {
        if (options.Fields is null && options.Mode == DisplayMode.Value && options.ExcludeReferenceLink)
        {
            var shape = schema.Shape;
            if (!Rendered.TryGetValue(row, out var rendered) || !ReferenceEquals(rendered.Shape, shape))
            {
                var buffer = new ArrayBufferWriter<byte>(4096);
                using (var own = new Utf8JsonWriter(buffer, Json.WriterOptions))
                {
                    Render(own, instance, schema, row, options);
                }

                rendered = new RenderedRow(shape, buffer.WrittenSpan.ToArray());
                Rendered.AddOrUpdate(row, rendered);
            }

            writer.WriteRawValue(rendered.Json, skipInputValidation: true);
            return;
        }

        Render(writer, instance, schema, row, options);
    }

    private static void Render(Utf8JsonWriter writer, SimulatedInstance instance, TableSchema schema, IReadOnlyDictionary<string, string> row, RenderOptions options)
    {
        writer.WriteStartObject();
        foreach (var field in options.Fields ?? schema.Fields)
        {
            if (schema.IsHidden(field))
            {
                continue;
            }

            if (field.Contains('.', StringComparison.Ordinal))
            {
                if (instance.IsKnownPath(schema, field))
                {
                    WritePlain(writer, field, instance.ValueOf(schema, row, field), options.Mode);
                }

                continue;
            }

            if (!schema.Has(field))
            {
                continue;
            }

            var value = row.GetValueOrDefault(field) ?? string.Empty;
            var reference = schema.ReferenceOf(field);
            if (reference is null || value.Length == 0)
            {
                WritePlain(writer, field, value, options.Mode);
                continue;
            }

            var link = $"{options.BaseUrl}/api/now/table/{reference}/{value}";
            switch (options.Mode)
            {
                case DisplayMode.Value when options.ExcludeReferenceLink:
                    writer.WriteString(field, value);
                    break;
                case DisplayMode.Value:
                    writer.WriteStartObject(field);
                    writer.WriteString("link", link);
                    writer.WriteString("value", value);
                    writer.WriteEndObject();
                    break;
                case DisplayMode.Display when options.ExcludeReferenceLink:
                    writer.WriteString(field, instance.DisplayValueOf(reference, value));
                    break;
                case DisplayMode.Display:
                    writer.WriteStartObject(field);
                    writer.WriteString("display_value", instance.DisplayValueOf(reference, value));
                    writer.WriteString("link", link);
                    writer.WriteEndObject();
                    break;
                default:
                    writer.WriteStartObject(field);
                    writer.WriteString("display_value", instance.DisplayValueOf(reference, value));
                    if (!options.ExcludeReferenceLink)
                    {
                        writer.WriteString("link", link);
                    }

                    writer.WriteString("value", value);
                    writer.WriteEndObject();
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static void WritePlain(Utf8JsonWriter writer, string field, string value, DisplayMode mode)
    {
        if (mode == DisplayMode.All)
        {
            writer.WriteStartObject(field);
            writer.WriteString("display_value", value);
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString(field, value);
        }
    }
}

/// <summary>A row's JSON for the schema shape it was rendered with.</summary>
internal sealed record RenderedRow(object Shape, byte[] Json);
