using System.CommandLine;
using CloneFlow.Cli.Hosting;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Secrets;
using CloneFlow.Emulators;

namespace CloneFlow.Cli.Commands;

/// <summary><c>cloneflow serve</c>: the local host in the foreground until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommandSupport.ConfigOption();
        var listen = new Option<Uri?>("--listen")
        {
            Description = "Override host.listen (http://127.0.0.1:<port>/; port 0 picks a free one).",
            CustomParser = parsed => CommandSupport.HttpUrl(parsed, "--listen"),
        };
        var command = new Command("serve", "Run the local host: the durable workflow engine (state in Azure Storage or Azurite, so runs survive restarts), the HTTP API (/api/clones) and the approval pages. Prints 'ready <url>' once it answers.")
        {
            config, listen,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var configuration = await CommandSupport.LoadAsync(result.GetRequiredValue(config), console.Error, cancellationToken);
            if (configuration is null)
            {
                return ExitCodes.InvalidInput;
            }

            await using var host = await StartAsync(configuration, StateFolder(result.GetRequiredValue(config)), console, result.GetValue(listen), cancellationToken);
            if (host is null)
            {
                return ExitCodes.InvalidInput;
            }

            await console.Out.WriteLineAsync($"CloneFlow local host: API {host.Host.BaseUrl}api/clones, approval pages {host.Host.BaseUrl}api/approvals/<token>, task hub '{configuration.Host.TaskHub}'. Ctrl+C stops it; runs carry on when it starts again.");
            await console.Out.WriteLineAsync($"storage: {host.StateDescription}");
            await console.Out.WriteLineAsync($"ready {host.Host.BaseUrl}");
            try
            {
                await ReportRunsAsync(host.Host.Runs, console.Out, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await console.Out.WriteLineAsync("stopping; active runs resume when a host starts again on this task hub");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Starts the configured host, or explains on standard error why it cannot (null).</summary>
    public static async Task<ConfiguredHost?> StartAsync(CloneFlowConfiguration configuration, string stateFolder, CliConsole console, Uri? listen, CancellationToken cancellationToken)
    {
        if (!ConfiguredHost.DeliversApprovalLinks(configuration.Host))
        {
            await console.Error.WriteLineAsync("cloneflow: warning: no channel delivers approval links (host.printApprovalLinks, host.teamsWebhookSecret or host.mailSender); runs will wait at their first gate until they expire.");
        }

        if (!(listen ?? configuration.Host.Listen).IsLoopback)
        {
            await console.Error.WriteLineAsync("cloneflow: warning: host.listen is not a loopback address; the local host's API (start and cancel runs) has no sign-in of its own, so put an authenticating reverse proxy in front of it.");
        }

        try
        {
            return await ConfiguredHost.StartAsync(configuration, stateFolder, console.Out, console.Error, listen, cancellationToken);
        }
        catch (SecretNotFoundException ex)
        {
            await console.Error.WriteLineAsync($"cloneflow: {ex.Message}");
        }
        catch (ArgumentException ex) when (ex.ParamName is "secrets" or "options")
        {
            // The signing key is unusable; the message names its secret, never its value.
            await console.Error.WriteLineAsync($"cloneflow: {ex.Message}");
        }
        catch (AzuriteStartException ex)
        {
            await console.Error.WriteLineAsync($"cloneflow: storage: {ex.Message}");
        }
        catch (IOException ex)
        {
            await console.Error.WriteLineAsync($"cloneflow: cannot listen on {listen ?? configuration.Host.Listen}: {ex.Message}");
        }

        return null;
    }

    /// <summary>Where a host keeps local state (Azurite's data when no storage account is named): <c>.cloneflow</c> beside the configuration.</summary>
    public static string StateFolder(FileInfo config) => Path.Combine(config.DirectoryName ?? ".", ".cloneflow");

    /// <summary>The run's outcome and reason as its result gives them (the engine's status when it has none).</summary>
    private static async Task<string> OutcomeAsync(CloneRuns runs, Microsoft.DurableTask.Client.OrchestrationMetadata run, CancellationToken cancellationToken) =>
        (await runs.GetAsync(run.InstanceId, cancellationToken))?.Instance is { RuntimeStatus: Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed } done
            && done.ReadOutputAs<CloneRunResult>() is { } result
            ? $"{result.Outcome}{(result.Outcome == RunOutcome.Completed ? result.Verified ? ", verified" : ", NOT verified" : string.Empty)}: {result.Reason}"
            : run.RuntimeStatus.ToString();

    /// <summary>Prints a line whenever a run of the last day changes phase or ends.</summary>
    private static async Task ReportRunsAsync(CloneRuns runs, TextWriter output, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        do
        {
            foreach (var run in await runs.ListAsync(20, TimeSpan.FromDays(1), cancellationToken))
            {
                var phase = RunStatus.Parse(run.SerializedCustomStatus);
                var line = run.IsCompleted ? "ended" : $"{phase?.Phase ?? "starting"}: {phase?.Message}";
                if (!seen.TryGetValue(run.InstanceId, out var last) || last != line)
                {
                    seen[run.InstanceId] = line;
                    // An orchestration that completed may still be a failed, rejected or canceled run: say which.
                    var said = run.IsCompleted ? $"ended {await OutcomeAsync(runs, run, cancellationToken)}" : line;
                    await output.WriteLineAsync($"{DateTimeOffset.Now:HH:mm:ss} run {run.InstanceId} {said}");
                }
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }
}
