using System.CommandLine;
using CloneFlow.Core.Configuration;

namespace CloneFlow.Cli.Commands;

/// <summary>Options and steps the host commands share.</summary>
internal static class CommandSupport
{
    public const string DefaultConfigFile = "cloneflow.json";

    public static Option<FileInfo> ConfigOption() => new("--config", "-c")
    {
        Description = "The configuration file (see `cloneflow init`).",
        DefaultValueFactory = _ => new FileInfo(DefaultConfigFile),
    };

    /// <summary>The required <c>--target</c> (<c>-t</c>): a target named in the configuration.</summary>
    public static Option<string> TargetOption(string description) => new("--target", "-t") { Description = description, Required = true };

    public static Option<Uri?> ServerOption() => new("--server")
    {
        Description = "The CloneFlow host's base URL; default: host.listen from --config, or http://127.0.0.1:7071/.",
        CustomParser = result => HttpUrl(result, "--server"),
    };

    /// <summary>Parses an absolute http(s) URL option (System.CommandLine has no Uri parser).</summary>
    public static Uri? HttpUrl(System.CommandLine.Parsing.ArgumentResult result, string option)
    {
        if (Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"{option} must be an absolute http(s) URL");
        return null;
    }

    /// <summary>Loads and validates the configuration, printing every problem; null when it cannot be used.</summary>
    public static async Task<CloneFlowConfiguration?> LoadAsync(FileInfo file, TextWriter error, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            await error.WriteLineAsync($"cloneflow: no configuration at {file.FullName}; write a commented sample with `cloneflow init`");
            return null;
        }

        try
        {
            return await ConfigurationLoader.LoadFileAsync(file.FullName, cancellationToken);
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync($"cloneflow: {file.FullName} cannot be used:");
            foreach (var problem in ex.Errors)
            {
                await error.WriteLineAsync($"  {problem.Key}: {problem.Message}");
            }

            return null;
        }
    }

    /// <summary>Loads the configuration and checks the target is in it, printing what is wrong; null when either is unusable.</summary>
    public static async Task<CloneFlowConfiguration?> LoadForTargetAsync(FileInfo file, string target, TextWriter error, CancellationToken cancellationToken)
    {
        var configuration = await LoadAsync(file, error, cancellationToken);
        if (configuration is not null && !configuration.Targets.ContainsKey(target))
        {
            await error.WriteLineAsync($"cloneflow: '{target}' is not a configured target; configured: {string.Join(", ", configuration.Targets.Keys)}");
            return null;
        }

        return configuration;
    }

    /// <summary>Prints a failed API call; an unknown or finished run is the caller's input (1), anything else the host's (5).</summary>
    public static async Task<int> ReportAsync(HostApiException failure, TextWriter error)
    {
        await error.WriteLineAsync($"cloneflow: {failure.Message}");
        return failure.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict ? ExitCodes.InvalidInput : ExitCodes.HostUnavailable;
    }

    /// <summary>The host to talk to: --server, else the configuration's address when the file exists, else the default.</summary>
    public static async Task<Uri> ServerAsync(Uri? server, FileInfo config, CancellationToken cancellationToken)
    {
        if (server is not null)
        {
            return server;
        }

        if (config.Exists)
        {
            try
            {
                var configuration = await ConfigurationLoader.LoadFileAsync(config.FullName, cancellationToken);
                return configuration.Host.Listen;
            }
            catch (ConfigurationException)
            {
                // Unusable here is not this command's business: the host reports it.
            }
        }

        return new LocalHostConfiguration().Listen;
    }
}
