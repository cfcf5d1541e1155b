namespace CloneFlow.Cli.Tests.Commands;

/// <summary>Bad input to the host commands gets a clear message and a documented exit code, and nothing starts.</summary>
public class HostCommandInputTests
{
    [Fact]
    public async Task A_configuration_with_problems_is_refused_with_every_problem_named_by_its_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{ "instances": {}, "host": { "listen": "ftp://example/", "taskHub": "x" } }""");
            var run = await CliRun.RunAsync(["serve", "--config", file]);

            Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
            Assert.Contains("instances:", run.Error, StringComparison.Ordinal);
            Assert.Contains("host.listen:", run.Error, StringComparison.Ordinal);
            Assert.Contains("host.taskHub:", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_missing_configuration_points_at_init()
    {
        var run = await CliRun.RunAsync(["run", "--config", "/nonexistent/cloneflow.json", "--target", "test"]);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("cloneflow init", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_with_no_host_answering_says_so()
    {
        var run = await CliRun.RunAsync(["status", "--server", "http://127.0.0.1:1/"]);

        Assert.Equal(ExitCodes.HostUnavailable, run.ExitCode);
        Assert.Contains("no CloneFlow host answers", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/api/approvals/x", "--approve", "--reject")]
    [InlineData("http://127.0.0.1:1/api/approvals/x")]
    [InlineData("file:///etc/passwd", "--approve")]
    [InlineData("http://127.0.0.1:1/api/clones/x", "--approve")]
    public async Task Approve_needs_one_decision_and_an_approval_link(params string[] arguments)
    {
        var run = await CliRun.RunAsync(["approve", .. arguments]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
    }

    [Fact]
    public async Task Approve_with_a_bad_problem_choice_is_refused_before_any_request()
    {
        var run = await CliRun.RunAsync(["approve", "http://127.0.0.1:1/api/approvals/x", "--approve", "--choice", "p1=maybe"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("accept|skip", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_has_a_flag_for_every_input_any_gate_asks_for()
    {
        var run = await CliRun.RunAsync(["approve", "--help"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.All(Core.Approvals.GateForms.All.SelectMany(f => f.Inputs), input => Assert.Contains($"--{input.Name}", run.Output, StringComparison.Ordinal));
    }
}
