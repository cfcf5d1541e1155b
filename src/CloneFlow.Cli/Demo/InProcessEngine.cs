using CloneFlow.Core.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloneFlow.Cli.Demo;

/// <summary>
/// The Durable Task engine in this process (the SDK's in-process sidecar, a preview package, wrapped
/// here so nothing else depends on it) running CloneFlow's orchestration and activities. Runs do not
/// survive the process; the crash-safe local host on the Azure Storage provider is tracked separately.
/// </summary>
internal sealed class InProcessEngine : IAsyncDisposable
{
    private readonly DurableTaskTestHost _host;

    private InProcessEngine(DurableTaskTestHost host) => _host = host;

    public DurableTaskClient Client => _host.Client;

    public static async Task<InProcessEngine> StartAsync(Action<IServiceCollection> services, CancellationToken cancellationToken)
    {
        // The sidecar builds its own default host, which logs every gRPC call to the console and
        // ignores the logger factory option; its configuration reads these variables.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        Environment.SetEnvironmentVariable("Logging__LogLevel__Microsoft", "Warning");
        // The sidecar picks its port without reserving it; another process may take it first.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var host = await DurableTaskTestHost.StartAsync(
                    registry => registry.AddCloneFlowTasks(),
                    new DurableTaskTestHostOptions { ConfigureServices = services, LoggerFactory = NullLoggerFactory.Instance },
                    cancellationToken);
                return new InProcessEngine(host);
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(100 * attempt, cancellationToken);
            }
        }
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
