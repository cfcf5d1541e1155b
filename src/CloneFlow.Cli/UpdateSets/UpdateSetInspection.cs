using System.Text.Json;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Cli.UpdateSets;

/// <summary>Runs <c>cloneflow updateset inspect</c>: one streaming pass, a summary for people or JSON for tools.</summary>
internal static class UpdateSetInspection
{
    private const int FlushThresholdBytes = 64 * 1024;

    public static async Task<int> RunAsync(CliConsole console, string path, bool json, CancellationToken cancellationToken)
    {
        Stream? input = null;
        try
        {
            input = path == "-"
                ? console.Input
                : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            if (json)
            {
                await WriteJsonAsync(console.Output, input, cancellationToken);
            }
            else
            {
                var summary = await UpdateSetFileScanner.ScanAsync(input, cancellationToken: cancellationToken);
                await InspectionText.WriteAsync(console.Out, path == "-" ? "standard input" : Path.GetFileName(path), summary);
            }

            return ExitCodes.Success;
        }
        catch (UpdateSetFormatException ex)
        {
            await console.Error.WriteLineAsync($"cloneflow: {path}: {ex.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            await console.Error.WriteLineAsync($"cloneflow: {path}: no such file");
            return ExitCodes.InvalidInput;
        }
        catch (UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync($"cloneflow: {path}: permission denied");
            return ExitCodes.InvalidInput;
        }
        catch (IOException ex)
        {
            await console.Error.WriteLineAsync($"cloneflow: {path}: {ex.Message}");
            return ExitCodes.InvalidInput;
        }
        finally
        {
            if (input is not null && input != console.Input)
            {
                await input.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Writes <c>{"unloadDate", "updates": [...], "updateSets": [...], "otherRecords", "warnings"}</c>.
    /// Updates are written as they are read (memory stays flat on huge files), so the set list with
    /// its counts comes after them.
    /// </summary>
    private static async Task WriteJsonAsync(Stream output, Stream input, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteStartArray("updates");
        var summary = await UpdateSetFileScanner.ScanAsync(
            input,
            async (update, token) =>
            {
                json.WriteStartObject();
                json.WriteString("sysId", update.SysId);
                json.WriteString("name", update.Name);
                json.WriteString("action", update.Action);
                json.WriteString("table", update.Table);
                json.WriteString("type", update.Type);
                json.WriteString("updateSet", update.UpdateSet);
                json.WriteString("payloadSha256", update.PayloadSha256);
                json.WriteNumber("payloadBytes", update.PayloadBytes);
                json.WriteEndObject();
                if (json.BytesPending > FlushThresholdBytes)
                {
                    await json.FlushAsync(token);
                }
            },
            cancellationToken);
        json.WriteEndArray();

        json.WriteString("unloadDate", summary.UnloadDate);
        json.WriteStartArray("updateSets");
        foreach (var set in summary.UpdateSets)
        {
            json.WriteStartObject();
            json.WriteString("sysId", set.SysId);
            json.WriteString("name", set.Name);
            json.WriteString("remoteSysId", set.RemoteSysId);
            json.WriteString("applicationScope", set.ApplicationScope);
            json.WriteString("state", set.State);
            json.WriteString("parent", set.Parent);
            json.WriteString("baseUpdateSet", set.BaseUpdateSet);
            json.WriteNumber("updateCount", set.UpdateCount);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("otherRecords");
        foreach (var (table, count) in summary.OtherRecordsByTable)
        {
            json.WriteNumber(table, count);
        }

        json.WriteEndObject();
        json.WriteStartArray("warnings");
        foreach (var warning in summary.Warnings)
        {
            json.WriteStartObject();
            json.WriteString("message", warning.Message);
            json.WriteNumber("line", warning.LineNumber);
            json.WriteNumber("position", warning.LinePosition);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await output.FlushAsync(cancellationToken);
    }
}
