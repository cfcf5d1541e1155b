using System.Text;

namespace CloneFlow.Cli.Tests;

public sealed class CliConsoleTests
{
    [Fact]
    public async Task Out_takes_overlapping_writes_from_many_threads_whole_and_in_one_piece_each()
    {
        // A host's run reporter (async writes) and its approval-link printer (sync writes) write
        // at the same moments; a bare StreamWriter throws "stream is in use" when they overlap.
        using var output = new MemoryStream();
        using (var console = new CliConsole(output, TextWriter.Null))
        {
            const int Writers = 8;
            const int Lines = 500;
            using var start = new Barrier(Writers);
            var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < Lines; i++)
                {
                    var line = $"writer {w} line {i} " + new string('x', 200);
                    if (i % 2 == 0)
                    {
                        await console.Out.WriteLineAsync(line);
                    }
                    else
                    {
                        console.Out.WriteLine(line);
                    }
                }
            })).ToArray();
            await Task.WhenAll(tasks);
        }

        var written = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8 * 500, written.Length);
        Assert.All(written, line => Assert.Matches(@"^writer \d line \d+ x{200}$", line));
    }
}
