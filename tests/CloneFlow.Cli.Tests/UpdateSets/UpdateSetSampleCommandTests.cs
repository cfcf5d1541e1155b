using System.Text.Json;

namespace CloneFlow.Cli.Tests.UpdateSets;

public class UpdateSetSampleCommandTests
{
    [Fact]
    public async Task A_sample_written_to_a_file_inspects_as_the_batch_it_describes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cloneflow-sample-{Guid.NewGuid():N}.xml");
        try
        {
            var sample = await CliRun.RunAsync(["updateset", "sample", "--out", path, "--sets", "3", "--updates", "12"]);
            Assert.Equal(0, sample.ExitCode);
            Assert.False(File.Exists(path + ".partial"));

            var inspect = await CliRun.RunAsync(["updateset", "inspect", "--json", path]);

            Assert.Equal(0, inspect.ExitCode);
            using var json = JsonDocument.Parse(inspect.Output);
            var sets = json.RootElement.GetProperty("updateSets").EnumerateArray().ToList();
            Assert.Equal(3, sets.Count);
            Assert.Equal([4, 4, 4], sets.Select(s => s.GetProperty("updateCount").GetInt32()));
            Assert.Equal(sets[0].GetProperty("sysId").GetString(), sets[1].GetProperty("parent").GetString());
            Assert.Equal(12, json.RootElement.GetProperty("updates").GetArrayLength());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_sample_goes_to_standard_output_without_out()
    {
        var run = await CliRun.RunAsync(["updateset", "sample", "--updates", "2"]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><unload unload_date=", run.Output, StringComparison.Ordinal);
        Assert.EndsWith("</unload>", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Impossible_sizes_are_a_usage_error()
    {
        var run = await CliRun.RunAsync(["updateset", "sample", "--sets", "0"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("at least one update set", run.Error, StringComparison.Ordinal);
    }
}
