using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;

namespace CloneFlow.Cli.Commands;

/// <summary><c>cloneflow status</c>: the recent runs, or one run (followed with --watch).</summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var runId = new Argument<string?>("runId") { Description = "A run id; without it, the recent runs.", Arity = ArgumentArity.ZeroOrOne };
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow the run until it ends (exit code as for `run --wait`)." };
        var config = CommandSupport.ConfigOption();
        var server = CommandSupport.ServerOption();
        var command = new Command("status", "Show the recent runs, or one run's phase, progress, pending approvals and outcome.")
        {
            runId, watch, config, server,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var api = new HostApiClient(await CommandSupport.ServerAsync(result.GetValue(server), result.GetRequiredValue(config), cancellationToken));
            try
            {
                if (result.GetValue(runId) is not { } id)
                {
                    await ListAsync(console, api, cancellationToken);
                    return ExitCodes.Success;
                }

                if (result.GetValue(watch))
                {
                    return await WatchAsync(console, api, id, cancellationToken);
                }

                var run = await api.GetAsync(id, cancellationToken);
                await DescribeAsync(console.Out, run);
                return ExitCodes.Success;
            }
            catch (HostApiException ex)
            {
                return await CommandSupport.ReportAsync(ex, console.Error);
            }
        });
        return command;
    }

    /// <summary>Follows a run until it ends, showing its progress; returns the run's exit code.</summary>
    public static async Task<int> WatchAsync(CliConsole console, HostApiClient api, string runId, CancellationToken cancellationToken)
    {
        var progress = new RunProgressPrinter(console.Out, RunProgressPrinter.IsTerminal);
        var clock = Stopwatch.StartNew();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var failures = 0;
        while (true)
        {
            RunView run;
            try
            {
                run = await api.GetAsync(runId, cancellationToken);
                failures = 0;
            }
            catch (HostApiException ex) when (ex.Status is null && ++failures < 30)
            {
                // The host restarting (or killed and started again) is part of life: keep asking.
                progress.Break();
                await console.Error.WriteLineAsync($"cloneflow: {ex.Message}; retrying");
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                continue;
            }

            if (run.IsCompleted)
            {
                progress.Break();
                await DescribeAsync(console.Out, run);
                return RunCommand.ExitCodeOf(run);
            }

            progress.Show(run.Status, clock.Elapsed);
            foreach (var gate in run.Status?.PendingApprovals ?? [])
            {
                // Shown again once the prompt went out, so the line says where the link is.
                if (shown.Add($"{gate.EventName}:{gate.Channels is not null}"))
                {
                    progress.Break();
                    await console.Out.WriteLineAsync($"waiting for approval of '{gate.Gate}' (round {gate.Round}) {gate.Describe()}: {gate.Question}");
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    public static async Task DescribeAsync(TextWriter output, RunView run)
    {
        await output.WriteLineAsync($"run      {run.RunId}");
        await output.WriteLineAsync($"state    {run.RuntimeStatus}");
        if (run.Status is { } status)
        {
            await output.WriteLineAsync($"phase    {status.Phase}: {status.Message}{(status.Total > 0 ? $" [{status.Done}/{status.Total}]" : string.Empty)}");
            if (status.CloneRequest is not null)
            {
                await output.WriteLineAsync($"clone    {status.CloneRequest} {status.CloneState} {status.ClonePercent}%");
            }

            foreach (var gate in status.PendingApprovals)
            {
                await output.WriteLineAsync($"waiting  approval of '{gate.Gate}' (round {gate.Round}) {gate.Describe()}");
            }
        }

        if (run.Result is { } result)
        {
            await output.WriteLineAsync($"outcome  {result.Outcome}{(result.Verified ? ", verified" : string.Empty)}: {result.Reason}");
            await output.WriteLineAsync($"report   /api/clones/{run.RunId}/report");
        }
    }

    private static async Task ListAsync(CliConsole console, HostApiClient api, CancellationToken cancellationToken)
    {
        var list = await api.ListAsync(cancellationToken);
        var runs = list.GetProperty("runs").EnumerateArray().ToList();
        if (runs.Count == 0)
        {
            await console.Out.WriteLineAsync("no runs in the last 90 days");
            return;
        }

        await console.Out.WriteLineAsync($"{"run",-40} {"state",-11} {"phase",-15} created");
        foreach (var run in runs)
        {
            var phase = run.TryGetProperty("phase", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : "-";
            await console.Out.WriteLineAsync($"{run.GetProperty("runId").GetString(),-40} {run.GetProperty("runtimeStatus").GetString(),-11} {phase,-15} {run.GetProperty("createdAt").GetDateTimeOffset():u}");
        }
    }
}
