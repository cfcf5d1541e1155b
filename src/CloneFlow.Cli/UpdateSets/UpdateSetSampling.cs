using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Cli.UpdateSets;

/// <summary>Runs <c>cloneflow updateset sample</c>.</summary>
internal static class UpdateSetSampling
{
    public static async Task<int> RunAsync(CliConsole console, UpdateSetSampleOptions options, FileInfo? output, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            await console.Error.WriteLineAsync($"cloneflow: {FirstLine(ex.Message)}");
            return ExitCodes.Usage;
        }

        if (output is null)
        {
            await UpdateSetSample.WriteAsync(console.Output, options, cancellationToken);
            await console.Output.FlushAsync(cancellationToken);
            return ExitCodes.Success;
        }

        // Write beside the target and move into place, so a reader never sees half a file.
        var partial = output.FullName + ".partial";
        await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await UpdateSetSample.WriteAsync(file, options, cancellationToken);
        }

        File.Move(partial, output.FullName, overwrite: true);
        await console.Error.WriteLineAsync($"wrote {output.FullName}: {options.Sets} update sets, {options.Updates} updates");
        return ExitCodes.Success;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
