using System.CommandLine;

namespace CloneFlow.Cli.Demo;

/// <summary><c>cloneflow demo</c>: a full clone with everything built in.</summary>
public static class DemoCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console)
    {
        var autoApprove = new Option<bool>("--auto-approve") { Description = "Decide every approval as the configured approver through its signed link (the default)." };
        var hold = new Option<bool>("--hold-approvals") { Description = "Print each approval as 'APPROVAL <gate> <url>' and wait for a decision made on that page." };
        var port = new Option<int>("--approval-port") { Description = "Loopback port of the approval pages (0: a free port).", DefaultValueFactory = _ => 0 };
        var reportJson = new Option<FileInfo?>("--report-json") { Description = "Also write the run report JSON to this file." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the HTML and JSON reports.", DefaultValueFactory = _ => new DirectoryInfo("cloneflow-demo") };
        var driver = new Option<string>("--clone-driver") { Description = "table: CloneFlow requests the clone; manual: a person requests it in the Clone Admin Console and enters its number on the approval page (the demo shows what they do, then does it on the simulator's console).", DefaultValueFactory = _ => "table" };
        driver.AcceptOnlyFromAmong("table", "manual");
        var acceleration = new Option<double>("--clock-acceleration") { Description = "Simulated seconds per real second (a 3-hour clone takes 3 h / this).", DefaultValueFactory = _ => 600 };
        var command = new Command("demo", "Run a full clone prod -> test against the built-in ServiceNow simulator: inventory, approval, export and verify, clone, restore, verify, report.")
        {
            autoApprove, hold, port, reportJson, output, acceleration, driver,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var speed = result.GetValue(acceleration);
            if (speed is < 1 or > 100_000)
            {
                console.Error.WriteLine("cloneflow: --clock-acceleration must be between 1 and 100000");
                return Task.FromResult(ExitCodes.Usage);
            }

            if (result.GetValue(hold) && result.GetValue(autoApprove))
            {
                console.Error.WriteLine("cloneflow: choose --auto-approve or --hold-approvals, not both");
                return Task.FromResult(ExitCodes.Usage);
            }

            return DemoRunner.RunAsync(console, new DemoOptions(result.GetRequiredValue(output), result.GetValue(reportJson), speed, result.GetValue(hold), result.GetValue(port), result.GetRequiredValue(driver)), cancellationToken);
        });
        return command;
    }
}
