using System.CommandLine;

namespace CloneFlow.Cli.Commands;

/// <summary><c>cloneflow init</c>: writes the commented sample configuration.</summary>
internal static class InitCommand
{
    private const string SampleResource = "CloneFlow.Cli.Commands.Samples.cloneflow.sample.json";

    public static Command Create(CliConsole console)
    {
        var path = new Argument<FileInfo>("file") { Description = "Where to write it.", DefaultValueFactory = _ => new FileInfo(CommandSupport.DefaultConfigFile) };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var command = new Command("init", "Write a commented sample configuration (instances, targets, approvers, policies, host) to edit; secrets are referenced by name, never written.")
        {
            path, force,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var file = result.GetRequiredValue(path);
            if (file.Exists && !result.GetValue(force))
            {
                await console.Error.WriteLineAsync($"cloneflow: {file.FullName} exists; pass --force to overwrite it");
                return ExitCodes.InvalidInput;
            }

            await using (var sample = Sample())
            await using (var target = file.Create())
            {
                await sample.CopyToAsync(target, cancellationToken);
            }

            await console.Out.WriteLineAsync($"wrote {file.FullName}");
            await console.Out.WriteLineAsync("next: edit the instances and targets, set the secrets it names, e.g.");
            await console.Out.WriteLineAsync("  export CLONEFLOW_SECRET_CLONEFLOW_APPROVAL_KEY=$(openssl rand -base64 32)");
            await console.Out.WriteLineAsync($"then `cloneflow preflight --config {file.Name} --target test` and `cloneflow serve --config {file.Name}`.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The sample as shipped (embedded, so the tests can load it too).</summary>
    public static Stream Sample() =>
        typeof(InitCommand).Assembly.GetManifestResourceStream(SampleResource) ?? throw new InvalidOperationException($"{SampleResource} is not embedded");
}
