using System.Text;

namespace CloneFlow.Cli.Tests;

/// <summary>Runs <c>cloneflow</c> in process with captured standard streams.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(string[] args, byte[]? input = null)
    {
        using var output = new MemoryStream();
        await using var error = new StringWriter();
        using var stdin = new MemoryStream(input ?? []);
        int exitCode;
        using (var console = new CliConsole(output, error, stdin))
        {
            exitCode = await CloneFlowCommandLine.RunAsync(args, console, CancellationToken.None);
        }

        return new CliRun(exitCode, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }
}
