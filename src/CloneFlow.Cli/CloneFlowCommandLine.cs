using System.CommandLine;
using CloneFlow.Cli.Commands;
using CloneFlow.Cli.Demo;
using CloneFlow.Cli.Simulator;
using CloneFlow.Cli.UpdateSets;

namespace CloneFlow.Cli;

/// <summary>The <c>cloneflow</c> command tree and its invocation with CloneFlow's exit codes.</summary>
public static class CloneFlowCommandLine
{
    /// <summary>Builds the command tree writing to <paramref name="console"/>.</summary>
    public static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand("CloneFlow: keeps ServiceNow in-flight work (update sets, plugins, apps) safe across instance clones.");
        root.Add(DemoCommand.Create(console));
        root.Add(InitCommand.Create(console));
        root.Add(PreflightCommand.Create(console));
        root.Add(ServeCommand.Create(console));
        root.Add(RunCommand.Create(console));
        root.Add(StatusCommand.Create(console));
        root.Add(ApproveCommand.Create(console));
        root.Add(CancelCommand.Create(console));
        root.Add(UpdateSetCommand.Create(console));
        root.Add(SimulatorCliCommand.Create(console));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; usage errors exit with <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = Build(console);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await console.Error.WriteLineAsync($"cloneflow: {error.Message}");
            }

            await console.Error.WriteLineAsync("Run 'cloneflow --help' for the commands and options.");
            return ExitCodes.Usage;
        }

        try
        {
            // Program.cs turns Ctrl+C and SIGTERM into the cancellation token; System.CommandLine's own
            // handler would race it (and throws when a signal arrives as the invocation ends).
            var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error, ProcessTerminationTimeout = null };
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("cloneflow: canceled");
            return ExitCodes.Canceled;
        }
    }
}
