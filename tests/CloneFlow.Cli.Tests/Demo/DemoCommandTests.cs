using System.Text.Json;

namespace CloneFlow.Cli.Tests.Demo;

public class DemoCommandTests
{
    [Fact]
    public async Task The_demo_clones_prod_over_test_and_reports_every_set_restored()
    {
        var folder = Directory.CreateTempSubdirectory("cloneflow-demo-test-");
        var reportPath = Path.Combine(folder.FullName, "report.json");
        try
        {
            var run = await CliRun.RunAsync(["demo", "--clock-acceleration", "2400", "--out", folder.FullName, "--report-json", reportPath]);

            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            Assert.Contains("Outcome: Completed, verified", run.Output, StringComparison.Ordinal);
            Assert.Contains("APPROVED clone (round 1)", run.Output, StringComparison.Ordinal);
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(reportPath));
            var root = report.RootElement;
            Assert.Equal("Completed", root.GetProperty("status").GetString());
            Assert.True(root.GetProperty("verified").GetBoolean());
            Assert.Equal(1, root.GetProperty("cloneRequests").GetInt32());
            var sets = root.GetProperty("updateSets").EnumerateArray().ToList();
            Assert.True(sets.Count >= 5);
            Assert.All(sets, s =>
            {
                Assert.Equal(0, s.GetProperty("missing").GetArrayLength());
                Assert.Equal(0, s.GetProperty("changed").GetArrayLength());
                Assert.Equal(s.GetProperty("stateBefore").GetString(), s.GetProperty("stateAfter").GetString());
            });
            Assert.Single(Directory.GetFiles(folder.FullName, "report.html", SearchOption.AllDirectories));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task With_the_manual_driver_the_demo_shows_what_the_person_does_in_the_console_and_enters_the_number_on_the_page()
    {
        var folder = Directory.CreateTempSubdirectory("cloneflow-demo-manual-");
        try
        {
            var run = await CliRun.RunAsync(["demo", "--clone-driver", "manual", "--clock-acceleration", "2400", "--out", folder.FullName]);

            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            Assert.Contains("PERSON  Request a clone of prod over test", run.Output, StringComparison.Ordinal);
            Assert.Contains("/_simulator/console/clones", run.Output, StringComparison.Ordinal);
            Assert.Contains("requested clone CLN", run.Output, StringComparison.Ordinal);
            Assert.Contains("APPROVED clone-number (round 1)", run.Output, StringComparison.Ordinal);
            Assert.Contains("Outcome: Completed, verified", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
