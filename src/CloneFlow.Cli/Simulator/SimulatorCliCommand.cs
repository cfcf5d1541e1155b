using System.CommandLine;
using CloneFlow.Simulator;

namespace CloneFlow.Cli.Simulator;

/// <summary><c>cloneflow simulator</c>: runs the ServiceNow simulator in the foreground.</summary>
public static class SimulatorCliCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console)
    {
        var defaults = new SimulatorCommandOptions();
        var instances = new Option<string>("--instances") { Description = "Comma-separated instance names.", DefaultValueFactory = _ => string.Join(',', defaults.Instances) };
        var basePort = new Option<int>("--base-port") { Description = "First port (instance i listens on base-port + i); 0 picks free ports.", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated estate.", DefaultValueFactory = _ => defaults.Seed };
        var rateLimit = new Option<int>("--rate-limit-per-hour") { Description = "Calls per user per simulated hour before 429 (0: no limit).", DefaultValueFactory = _ => 0 };
        var latency = new Option<int>("--latency-ms") { Description = "Latency added to every call.", DefaultValueFactory = _ => 0 };
        var errorRate = new Option<double>("--error-rate") { Description = "Fraction of calls answered with a 500 (0 to 1).", DefaultValueFactory = _ => 0 };
        var acceleration = new Option<double>("--clock-acceleration") { Description = "Simulated seconds per real second (clones take simulated hours).", DefaultValueFactory = _ => defaults.ClockAcceleration };
        var command = new Command("simulator", "Run the built-in ServiceNow simulator (several instances on loopback) until Ctrl+C; prints '<instance> <baseUrl>' lines, then 'ready'.")
        {
            instances, basePort, seed, rateLimit, latency, errorRate, acceleration,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var names = result.GetRequiredValue(instances).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var rate = result.GetValue(errorRate);
            if (names.Length == 0 || rate is < 0 or > 1 || result.GetValue(basePort) is < 0 or > 65535)
            {
                await console.Error.WriteLineAsync("cloneflow: --instances needs at least one name, --error-rate a value from 0 to 1, --base-port 0 to 65535");
                return ExitCodes.Usage;
            }

            var options = new SimulatorCommandOptions
            {
                BasePort = result.GetValue(basePort),
                Seed = result.GetValue(seed),
                RateLimitPerHour = result.GetValue(rateLimit),
                LatencyMs = result.GetValue(latency),
                ErrorRate = rate,
                ClockAcceleration = result.GetValue(acceleration),
            };
            options.Instances.Clear();
            foreach (var name in names)
            {
                options.Instances.Add(name);
            }

            return await SimulatorCommand.RunAsync(options, console.Out, cancellationToken);
        });
        return command;
    }
}
