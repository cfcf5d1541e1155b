using System.Net;
using System.Text;

namespace CloneFlow.Simulator.Tests;

public sealed class SimulatorCommandTests
{
    private sealed class LineWriter : StringWriter
    {
        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            var written = base.WriteLineAsync(value);
            if (value == "ready")
            {
                Ready.TrySetResult();
            }

            return written;
        }
    }

    [Fact]
    public async Task Run_prints_one_line_per_instance_then_ready_and_stops_on_cancel()
    {
        using var output = new LineWriter();
        using var cancel = new CancellationTokenSource();
        var options = new SimulatorCommandOptions();
        var run = SimulatorCommand.RunAsync(options, output, cancel.Token);
        await output.Ready.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["prod", "test", "dev", "ready"], lines.Select(l => l.Split(' ')[0]));
        var testUrl = lines[1].Split(' ')[1];
        Assert.StartsWith("http://127.0.0.1:", testUrl, StringComparison.Ordinal);

        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{testUrl}/api/now/v2/table/sys_update_set?sysparm_query=state=in%20progress");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:admin")));
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await cancel.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
