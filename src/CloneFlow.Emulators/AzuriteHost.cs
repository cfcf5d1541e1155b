using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloneFlow.Emulators;

/// <summary>
/// A private Azurite (Blob, Queue and Table emulator) for one test run or one local host: started
/// from the repository's <c>node_modules/.bin/azurite</c> on free loopback ports with a temporary
/// data folder, stopped by its pid. When <c>CLONEFLOW_STORAGE</c> holds a connection string, that
/// storage account is used instead and nothing is started.
/// </summary>
public sealed class AzuriteHost : IAsyncDisposable
{
    /// <summary>The environment variable that points CloneFlow at an existing storage account.</summary>
    public const string StorageEnvironmentVariable = "CLONEFLOW_STORAGE";

    /// <summary>Azurite's fixed development account and key (public, documented by Microsoft).</summary>
    private const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const int StartAttempts = 3;

    private readonly Process? _process;
    private readonly string? _location;
    private readonly EventHandler? _onProcessExit;

    private AzuriteHost(string connectionString, Process? process, string? location)
    {
        ConnectionString = connectionString;
        _process = process;
        _location = location;
        if (process is not null)
        {
            // A test run that dies without disposing must not leave Azurite behind.
            _onProcessExit = (_, _) => Kill(process);
            AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
        }
    }

    /// <summary>The storage connection string (Blob, Queue and Table endpoints).</summary>
    public string ConnectionString { get; }

    /// <summary>Azurite's pid, or null when an external account from <c>CLONEFLOW_STORAGE</c> is used.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>Starts Azurite (installing it with <c>npm ci</c> first if node_modules is missing), or uses <c>CLONEFLOW_STORAGE</c>.</summary>
    public static async Task<AzuriteHost> StartAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        if (options.HonourStorageEnvironmentVariable && Environment.GetEnvironmentVariable(StorageEnvironmentVariable) is { Length: > 0 } external)
        {
            return new AzuriteHost(external, process: null, location: null);
        }

        var root = options.RepositoryRoot ?? NodeTools.FindRepositoryRoot();
        var executable = await NodeTools.EnsureAzuriteInstalledAsync(root, options.Log, cancellationToken);
        Exception? last = null;
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            try
            {
                return await StartProcessAsync(executable, options, cancellationToken);
            }
            catch (AzuriteStartException ex) when (attempt < StartAttempts)
            {
                // Free ports are probed before Azurite binds them; another process may take one in between.
                last = ex;
                options.Log?.WriteLine($"Azurite did not start ({ex.Message}); trying other ports.");
            }
        }

        throw last ?? new AzuriteStartException("Azurite did not start.");
    }

    private static async Task<AzuriteHost> StartProcessAsync(string executable, AzuriteOptions options, CancellationToken cancellationToken)
    {
        var (blob, queue, table) = FreePorts.Three();
        var location = Directory.CreateTempSubdirectory("cloneflow-azurite-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--location", location,
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Azure.Storage.Blobs 12.30 speaks an API version newer than Azurite 3.37 knows.
            "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new BoundedLog();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new AzuriteStartException($"could not start {executable}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Directory.Delete(location, recursive: true);
            throw new InvalidOperationException(
                $"Could not run {executable}: {ex.Message}. Azurite needs Node.js 20 or later on PATH; or set {StorageEnvironmentVariable} to a storage connection string.",
                ex);
        }

        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var connectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
            + $"BlobEndpoint=http://127.0.0.1:{blob}/{AccountName};"
            + $"QueueEndpoint=http://127.0.0.1:{queue}/{AccountName};"
            + $"TableEndpoint=http://127.0.0.1:{table}/{AccountName};";
        var host = new AzuriteHost(connectionString, process, location);
        try
        {
            await WaitUntilAnsweringAsync(process, [blob, queue, table], options.StartTimeout, output, cancellationToken);
            options.Log?.WriteLine($"Azurite pid {process.Id} on 127.0.0.1:{blob}/{queue}/{table}, data in {location}");
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitUntilAnsweringAsync(Process process, int[] ports, TimeSpan timeout, BoundedLog output, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        foreach (var port in ports)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    throw new AzuriteStartException($"Azurite exited with code {process.ExitCode}: {output}");
                }

                if (await AnswersAsync(http, port, cancellationToken))
                {
                    break;
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new AzuriteStartException($"Azurite did not answer on 127.0.0.1:{port} within {timeout.TotalSeconds:F0} s: {output}");
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Any HTTP answer (even 400/403 for an unsigned request) means the service is up.</summary>
    private static async Task<bool> AnswersAsync(HttpClient http, int port, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/{AccountName}?comp=list"), cancellationToken);
            return response.StatusCode != 0;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Stops Azurite by its pid and deletes its data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
            Kill(_process);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        if (_location is not null && Directory.Exists(_location))
        {
            try
            {
                Directory.Delete(_location, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a dying process; the temp folder is cleaned by the OS later.
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The last lines Azurite printed, for error messages.</summary>
    private sealed class BoundedLog
    {
        private const int MaxLines = 20;
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > MaxLines)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return _lines.Count == 0 ? "(no output)" : new StringBuilder().AppendJoin(" | ", _lines).ToString();
            }
        }
    }

    /// <summary>Free loopback ports: bound together (so they differ) and released just before Azurite binds them.</summary>
    private static class FreePorts
    {
        public static (int Blob, int Queue, int Table) Three()
        {
            var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
            try
            {
                listeners.ForEach(l => l.Start());
                var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
                return (ports[0], ports[1], ports[2]);
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }
    }
}

/// <summary>Azurite did not come up; the message carries its last output.</summary>
public sealed class AzuriteStartException : Exception
{
    /// <summary>Creates the error.</summary>
    public AzuriteStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public AzuriteStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Required by CA1032.</summary>
    public AzuriteStartException()
        : base("Azurite did not start.")
    {
    }
}
