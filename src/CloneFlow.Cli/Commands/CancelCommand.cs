using System.CommandLine;

namespace CloneFlow.Cli.Commands;

/// <summary><c>cloneflow cancel</c>: asks a run to stop (it cancels the clone while it still can).</summary>
internal static class CancelCommand
{
    public static Command Create(CliConsole console)
    {
        var runId = new Argument<string>("runId") { Description = "The run to cancel." };
        var config = CommandSupport.ConfigOption();
        var server = CommandSupport.ServerOption();
        var command = new Command("cancel", "Cancel a run: before the clone nothing is lost; during the clone the clone request is canceled while the instance still allows it; after it the run stops and keeps its exports.")
        {
            runId, config, server,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var api = new HostApiClient(await CommandSupport.ServerAsync(result.GetValue(server), result.GetRequiredValue(config), cancellationToken));
            var id = result.GetRequiredValue(runId);
            try
            {
                await api.CancelAsync(id, cancellationToken);
                await console.Out.WriteLineAsync($"cancel requested for run {id}; follow it with `cloneflow status {id} --watch`");
                return ExitCodes.Success;
            }
            catch (HostApiException ex)
            {
                return await CommandSupport.ReportAsync(ex, console.Error);
            }
        });
        return command;
    }
}
