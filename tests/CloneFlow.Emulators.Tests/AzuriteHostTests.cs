using System.Diagnostics;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;

namespace CloneFlow.Emulators.Tests;

public class AzuriteHostTests
{
    [Fact]
    public async Task A_multi_megabyte_blob_streams_in_and_back_with_the_same_SHA256()
    {
        await using var azurite = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false });
        var container = new BlobContainerClient(azurite.ConnectionString, "runs");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("run-1/exports/big.xml");
        const int size = 24 * 1024 * 1024 + 123;

        // Upload from a generator, hashing while streaming: the whole blob never exists in memory.
        string uploadedHash;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            await using (var upload = await blob.OpenWriteAsync(overwrite: true, new BlobOpenWriteOptions { BufferSize = 1024 * 1024 }))
            {
                var random = new Random(42);
                var chunk = new byte[81_920];
                for (var written = 0; written < size; written += chunk.Length)
                {
                    random.NextBytes(chunk);
                    var count = Math.Min(chunk.Length, size - written);
                    await upload.WriteAsync(chunk.AsMemory(0, count));
                    hash.AppendData(chunk, 0, count);
                }
            }

            uploadedHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        var properties = await blob.GetPropertiesAsync();
        Assert.Equal(size, properties.Value.ContentLength);
        await using var download = await blob.OpenReadAsync();
        var downloadedHash = Convert.ToHexStringLower(await SHA256.HashDataAsync(download));
        Assert.Equal(uploadedHash, downloadedHash);
    }

    [Fact]
    public async Task In_memory_it_serves_blobs_and_queues_with_no_data_location()
    {
        await using var azurite = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false, InMemory = true });
        var container = new BlobContainerClient(azurite.ConnectionString, "runs");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("a.txt").UploadAsync(BinaryData.FromString("kept in memory"));
        var queue = new QueueClient(azurite.ConnectionString, "work");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("m");

        Assert.Equal("kept in memory", (await container.GetBlobClient("a.txt").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("m", (await queue.ReceiveMessageAsync()).Value.MessageText);
        var arguments = (await File.ReadAllTextAsync($"/proc/{azurite.ProcessId}/cmdline")).Split('\0');
        Assert.Contains("--inMemoryPersistence", arguments);
        Assert.DoesNotContain("--location", arguments);
    }

    [Fact]
    public async Task Keeping_a_data_folder_in_memory_only_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("cloneflow-test-").FullName;
        try
        {
            await Assert.ThrowsAsync<ArgumentException>(() => AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false, InMemory = true, DataFolder = folder }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Queues_and_tables_answer_too_for_the_durable_storage_provider()
    {
        await using var azurite = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false });
        var queue = new QueueClient(azurite.ConnectionString, "control-00");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("hello");

        var received = await queue.ReceiveMessageAsync();

        Assert.Equal("hello", received.Value.MessageText);
        Assert.Contains("TableEndpoint=http://127.0.0.1:", azurite.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_keeps_the_ports_and_every_blob_written_just_before_it_and_refuses_calls_while_down()
    {
        await using var azurite = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false });
        var connectionString = azurite.ConnectionString;
        var pid = azurite.ProcessId!.Value;
        var container = new BlobContainerClient(connectionString, "runs");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("run-1/exports/a.xml");
        await blob.UploadAsync(BinaryData.FromString("<unload/>"));
        await blob.SetMetadataAsync(new Dictionary<string, string> { ["cloneflow_sha256"] = "abc" });

        var restart = azurite.RestartAsync(downtime: TimeSpan.FromSeconds(1));
        await Task.Delay(300);
        // While it is down, a client with no retries sees the connection refused.
        var impatient = new BlobContainerClient(connectionString, "runs", new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } });
        await Assert.ThrowsAnyAsync<Exception>(() => impatient.GetBlobClient("run-1/exports/a.xml").GetPropertiesAsync());
        await restart;

        Assert.Equal(connectionString, azurite.ConnectionString);
        Assert.NotEqual(pid, azurite.ProcessId);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        var properties = await blob.GetPropertiesAsync();
        Assert.Equal("abc", properties.Value.Metadata["cloneflow_sha256"]);
        Assert.Equal("<unload/>", (await blob.DownloadContentAsync()).Value.Content.ToString());
        await container.GetBlobClient("run-1/exports/b.xml").UploadAsync(BinaryData.FromString("after"));
    }

    [Fact]
    public async Task Two_hosts_run_side_by_side_and_dispose_stops_the_process_and_removes_its_data()
    {
        var first = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false });
        await using var second = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false });
        Assert.NotEqual(first.ConnectionString, second.ConnectionString);
        var pid = first.ProcessId!.Value;
        Assert.False(Process.GetProcessById(pid).HasExited);

        await first.DisposeAsync();

        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        var container = new BlobContainerClient(second.ConnectionString, "still-up");
        await container.CreateIfNotExistsAsync();
    }
}

[CollectionDefinition(nameof(ProcessEnvironmentGroup), DisableParallelization = true)]
public sealed class ProcessEnvironmentGroup;

[Collection(nameof(ProcessEnvironmentGroup))]
public class AzuriteHostEnvironmentTests
{
    [Fact]
    public async Task CLONEFLOW_STORAGE_is_used_instead_of_starting_Azurite()
    {
        const string external = "DefaultEndpointsProtocol=https;AccountName=example;EndpointSuffix=core.windows.net";
        var before = Environment.GetEnvironmentVariable(AzuriteHost.StorageEnvironmentVariable);
        Environment.SetEnvironmentVariable(AzuriteHost.StorageEnvironmentVariable, external);
        try
        {
            await using var storage = await AzuriteHost.StartAsync();

            Assert.Equal(external, storage.ConnectionString);
            Assert.Null(storage.ProcessId);
        }
        finally
        {
            Environment.SetEnvironmentVariable(AzuriteHost.StorageEnvironmentVariable, before);
        }
    }

    [Fact]
    public async Task A_kept_data_folder_outlives_the_host_and_a_still_running_Azurite_is_adopted_not_doubled()
    {
        var folder = Directory.CreateTempSubdirectory("cloneflow-kept-azurite-");
        var options = new AzuriteOptions { HonourStorageEnvironmentVariable = false, DataFolder = folder.FullName };
        try
        {
            var first = await AzuriteHost.StartAsync(options);
            var container = new BlobContainerClient(first.ConnectionString, "state");
            await container.CreateIfNotExistsAsync();
            await container.GetBlobClient("a.txt").UploadAsync(BinaryData.FromString("kept"));

            // A host killed without disposing leaves its Azurite running: the next one must use it.
            await using (var second = await AzuriteHost.StartAsync(options))
            {
                Assert.Equal(first.ProcessId, second.ProcessId);
                Assert.Equal(first.ConnectionString, second.ConnectionString);
            }

            // The second one stopped it (gracefully) and kept the files; a third starts afresh on them.
            var firstId = first.ProcessId;
            await first.DisposeAsync();
            await using var third = await AzuriteHost.StartAsync(options);
            Assert.NotEqual(firstId, third.ProcessId);
            var content = await new BlobContainerClient(third.ConnectionString, "state").GetBlobClient("a.txt").DownloadContentAsync();
            Assert.Equal("kept", content.Value.Content.ToString());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_kept_data_folders_Azurite_runs_in_a_session_of_its_own_so_a_crash_of_its_starter_leaves_it_serving()
    {
        var folder = Directory.CreateTempSubdirectory("cloneflow-detached-azurite-");
        try
        {
            await using var host = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false, DataFolder = folder.FullName });
            var pid = host.ProcessId!.Value;

            // /proc/<pid>/stat after "(comm)": state, ppid, pgrp, session.
            var text = await File.ReadAllTextAsync($"/proc/{pid}/stat");
            var stat = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var (parent, group, session) = (int.Parse(stat[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(stat[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(stat[3], System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(host.Detached);
            Assert.NotEqual(Environment.ProcessId, parent);
            Assert.Equal(pid, group);
            Assert.Equal(pid, session);
            Assert.True(File.Exists(Path.Combine(folder.FullName, AzuriteHost.LogFileName)));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task What_Azurite_acknowledged_longer_ago_than_its_unsaved_window_survives_a_SIGKILL()
    {
        await using var azurite = await AzuriteHost.StartAsync(new AzuriteOptions { HonourStorageEnvironmentVariable = false });
        var container = new BlobContainerClient(azurite.ConnectionString, "state");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("settled.txt").UploadAsync(BinaryData.FromString("on disk"));
        await Task.Delay(AzuriteHost.UnsavedWindow);

        await azurite.CrashAndRestartAsync();

        var content = await container.GetBlobClient("settled.txt").DownloadContentAsync();
        Assert.Equal("on disk", content.Value.Content.ToString());
    }
}
