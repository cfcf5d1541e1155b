using System.CommandLine;
using Azure.Storage.Blobs;
using CloneFlow.Cli.Hosting;
using CloneFlow.Core.Activities;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using CloneFlow.Core.Secrets;
using CloneFlow.Core.ServiceNow;

namespace CloneFlow.Cli.Commands;

/// <summary><c>cloneflow preflight</c>: the run's first step on its own: can CloneFlow sign in and do everything the target's run needs?</summary>
internal static class PreflightCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommandSupport.ConfigOption();
        var target = CommandSupport.TargetOption("The configured target.");
        var command = new Command("preflight", "Check a target without changing anything: sign-in to source and target, roles, the CI/CD plugin, clone permission, open clone requests, tables the source lacks. Exit codes: 0 ready, 3 problems found, 1 unusable configuration or secret.")
        {
            config, target,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var name = result.GetRequiredValue(target);
            var configuration = await CommandSupport.LoadForTargetAsync(result.GetRequiredValue(config), name, console.Error, cancellationToken);
            if (configuration is null)
            {
                return ExitCodes.InvalidInput;
            }

            using var clients = new ServiceNowClients(configuration, HostSecrets.For(configuration.Host, HostSecrets.Credential()), new ServiceNowClientOptions { MaxRetries = 2 });
            // Preflight reads instances only; this store is never contacted.
            var unused = new RunArtifactStore(new BlobContainerClient(new Uri("http://127.0.0.1:1/preflight-unused")));
            PreflightResult found;
            try
            {
                found = await new PreflightActivity(new RunServices(configuration, clients, unused)).ExecuteAsync(new RunRef($"preflight-{name}", name));
            }
            catch (SecretNotFoundException ex)
            {
                await console.Error.WriteLineAsync($"cloneflow: {ex.Message}");
                return ExitCodes.InvalidInput;
            }
            catch (ServiceNowException ex)
            {
                await console.Error.WriteLineAsync($"cloneflow: {ex.Message}");
                return ExitCodes.RunNotVerified;
            }

            var settings = configuration.Targets[name];
            await console.Out.WriteLineAsync($"preflight of target '{name}' ({settings.Source} -> {settings.Instance}):");
            foreach (var problem in found.Problems)
            {
                await console.Out.WriteLineAsync($"  PROBLEM  {problem}");
            }

            foreach (var warning in found.Warnings)
            {
                await console.Out.WriteLineAsync($"  warning  {warning}");
            }

            await console.Out.WriteLineAsync(found.Passed ? "ready: nothing blocks a run" : $"not ready: {found.Problems.Count} problem(s)");
            return found.Passed ? ExitCodes.Success : ExitCodes.RunNotVerified;
        });
        return command;
    }
}
