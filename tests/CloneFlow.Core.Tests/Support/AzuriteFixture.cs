using CloneFlow.Emulators;

namespace CloneFlow.Core.Tests.Support;

/// <summary>One Azurite for a test class (each test uses its own container), stopped when the class is done.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteHost? _host;

    public string ConnectionString => _host?.ConnectionString ?? throw new InvalidOperationException("Azurite has not started.");

    public async Task InitializeAsync() => _host = await AzuriteHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
