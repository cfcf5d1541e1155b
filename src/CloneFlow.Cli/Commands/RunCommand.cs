using System.CommandLine;
using System.Net;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Runs;

namespace CloneFlow.Cli.Commands;

/// <summary>
/// <c>cloneflow run</c>: asks the running host for a clone of a target; with no host running, hosts
/// the engine itself for as long as the run takes.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommandSupport.ConfigOption();
        var target = CommandSupport.TargetOption("The configured target to clone over.");
        var dryRun = new Option<bool>("--dry-run") { Description = "Inventory, plan and export only; nothing is cloned." };
        var wait = new Option<bool>("--wait") { Description = "Follow the run until it ends (always so when this process hosts the engine)." };
        var server = CommandSupport.ServerOption();
        var command = new Command("run", "Start a clone of a target on the running CloneFlow host, or host the engine in this process when none answers. Exit codes: 0 completed and verified (or started, without --wait), 3 ended otherwise, 4 target busy, 5 host error.")
        {
            config, target, dryRun, wait, server,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var name = result.GetRequiredValue(target);
            var configuration = await CommandSupport.LoadForTargetAsync(result.GetRequiredValue(config), name, console.Error, cancellationToken);
            if (configuration is null)
            {
                return ExitCodes.InvalidInput;
            }

            using var api = new HostApiClient(result.GetValue(server) ?? configuration.Host.Listen);
            if (await api.IsUpAsync(cancellationToken))
            {
                return await OnServerAsync(console, api, name, result.GetValue(dryRun), result.GetValue(wait), cancellationToken);
            }

            if (result.GetValue(server) is not null)
            {
                await console.Error.WriteLineAsync($"cloneflow: no CloneFlow host answers at {api.BaseUrl}");
                return ExitCodes.HostUnavailable;
            }

            return await InProcessAsync(console, configuration, ServeCommand.StateFolder(result.GetRequiredValue(config)), name, result.GetValue(dryRun), cancellationToken);
        });
        return command;
    }

    private static async Task<int> OnServerAsync(CliConsole console, HostApiClient api, string target, bool dryRun, bool wait, CancellationToken cancellationToken)
    {
        string runId;
        try
        {
            runId = await api.StartAsync(target, dryRun, cancellationToken);
        }
        catch (HostApiException ex) when (ex.Status == HttpStatusCode.Conflict)
        {
            var running = ex.Problem?.TryGetProperty("runId", out var id) == true ? id.GetString() : "?";
            await console.Error.WriteLineAsync($"cloneflow: target '{target}' is busy with run {running}; follow it with `cloneflow status {running} --watch`");
            return ExitCodes.TargetBusy;
        }
        catch (HostApiException ex)
        {
            return await CommandSupport.ReportAsync(ex, console.Error);
        }

        await console.Out.WriteLineAsync($"run {runId} started on {api.BaseUrl}");
        return wait ? await StatusCommand.WatchAsync(console, api, runId, cancellationToken) : ExitCodes.Success;
    }

    private static async Task<int> InProcessAsync(CliConsole console, CloneFlowConfiguration configuration, string stateFolder, string target, bool dryRun, CancellationToken cancellationToken)
    {
        await console.Out.WriteLineAsync($"no CloneFlow host answers at {configuration.Host.Listen}; hosting the engine in this process until the run ends (Ctrl+C stops this process; the run resumes with the next host)");
        await using var host = await ServeCommand.StartAsync(configuration, stateFolder, console, listen: null, cancellationToken);
        if (host is null)
        {
            return ExitCodes.InvalidInput;
        }

        var started = await host.Host.Runs.StartAsync(target, $"{Environment.UserName}@{Environment.MachineName} (cloneflow run)", dryRun, cancellationToken);
        if (!started.Started)
        {
            await console.Out.WriteLineAsync($"target '{target}' already has run {started.RunId}; following it");
        }
        else
        {
            await console.Out.WriteLineAsync($"run {started.RunId} started; approval pages on {host.Host.BaseUrl}");
        }

        using var api = new HostApiClient(host.Host.BaseUrl);
        return await StatusCommand.WatchAsync(console, api, started.RunId, cancellationToken);
    }

    /// <summary>The exit code a finished run maps to.</summary>
    public static int ExitCodeOf(RunView run) =>
        run.Result is { Outcome: RunOutcome.Completed, Verified: true } or { Outcome: RunOutcome.DryRun } ? ExitCodes.Success : ExitCodes.RunNotVerified;
}
