using System.Collections.Concurrent;
using System.Diagnostics;

namespace CloneFlow.Cli.Tests.Hosting;

/// <summary><c>cloneflow serve</c> as a separate process, its output collected line by line, killable with SIGKILL.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process, ConcurrentQueue<string> lines)
    {
        _process = process;
        _lines = lines;
    }

    public int Id => _process.Id;

    /// <summary>Starts the host with <paramref name="environment"/> and waits for its "ready" line; every output line also goes to <paramref name="lines"/>.</summary>
    public static async Task<ServeProcess> StartAsync(string configFile, IReadOnlyDictionary<string, string> environment, ConcurrentQueue<string> lines)
    {
        // In a process group of its own (as a service manager or container runtime starts it), so a crash
        // can take down the whole group and nothing else.
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "cloneflow.dll"), "serve", "--config", configFile })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var serve = new ServeProcess(process, lines);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
                if (line.StartsWith("ready ", StringComparison.Ordinal))
                {
                    serve._ready.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue("stderr: " + line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(serve._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))) != serve._ready.Task)
        {
            await serve.KillAsync();
            throw new InvalidOperationException($"cloneflow serve did not get ready:\n{string.Join('\n', lines)}");
        }

        return serve;
    }

    /// <summary>
    /// SIGKILL to the host's whole process group, as when its container or service dies: no shutdown
    /// code runs. Processes in a session of their own (the host's Azurite) are not in the group.
    /// </summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-KILL", "--", $"-{_process.Id}" }, UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
