using Azure.Storage.Blobs;
using CloneFlow.Emulators;

namespace CloneFlow.Core.Tests.Support;

/// <summary>One Azurite for the tests of a collection; each test takes its own container.</summary>
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

    public async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = new BlobContainerClient(ConnectionString, $"test-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return container;
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
