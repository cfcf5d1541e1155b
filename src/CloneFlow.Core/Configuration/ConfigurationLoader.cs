using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloneFlow.Core.Configuration;

/// <summary>Reads <c>cloneflow.json</c> (comments and trailing commas allowed) and validates it.</summary>
public static class ConfigurationLoader
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Parses and validates; every problem is reported at once.</summary>
    /// <exception cref="ConfigurationException">The file is not valid JSON, has unknown keys, or fails validation.</exception>
    public static async Task<CloneFlowConfiguration> LoadAsync(Stream json, CancellationToken cancellationToken = default)
    {
        CloneFlowConfiguration? configuration;
        try
        {
            configuration = await JsonSerializer.DeserializeAsync<CloneFlowConfiguration>(json, Options, cancellationToken);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 0 } path ? path.TrimStart('$', '.') : "(file)";
            throw new ConfigurationException([new ConfigurationError(where, $"{FirstSentence(ex.Message)} (line {ex.LineNumber + 1})")]);
        }

        return ConfigurationValidator.EnsureValid(configuration ?? throw new ConfigurationException([new ConfigurationError("(file)", "the file is empty")]));
    }

    /// <summary>Loads a configuration file.</summary>
    public static async Task<CloneFlowConfiguration> LoadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        return await LoadAsync(file, cancellationToken);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
