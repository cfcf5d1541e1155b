using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloneFlow.Core.Artifacts;

/// <summary>The JSON settings of every document CloneFlow stores (camelCase, enums as text).</summary>
public static class ArtifactJson
{
    /// <summary>The shared options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
