using CloneFlow.Core.Configuration;

namespace CloneFlow.Cli.Tests.Commands;

public class InitCommandTests
{
    [Fact]
    public async Task The_sample_it_writes_loads_and_validates_and_is_not_overwritten_without_force()
    {
        var folder = Directory.CreateTempSubdirectory("cloneflow-init-");
        var file = Path.Combine(folder.FullName, "cloneflow.json");
        try
        {
            var first = await CliRun.RunAsync(["init", file]);
            Assert.True(first.ExitCode == 0, first.Error);

            var configuration = await ConfigurationLoader.LoadFileAsync(file);
            Assert.True(configuration.Instances["prod"].Protected);
            Assert.Equal("prod", configuration.Targets["test"].Source);
            Assert.Equal(new Uri("http://127.0.0.1:7071/"), configuration.Host.Listen);
            // Secrets by name only: the sample holds no password, key or connection string.
            var text = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain("AccountKey", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"password\"", text, StringComparison.OrdinalIgnoreCase);

            await File.WriteAllTextAsync(file, "{}");
            var again = await CliRun.RunAsync(["init", file]);
            Assert.Equal(ExitCodes.InvalidInput, again.ExitCode);
            Assert.Equal("{}", await File.ReadAllTextAsync(file));
            Assert.Equal(0, (await CliRun.RunAsync(["init", file, "--force"])).ExitCode);
            Assert.NotEqual("{}", await File.ReadAllTextAsync(file));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
