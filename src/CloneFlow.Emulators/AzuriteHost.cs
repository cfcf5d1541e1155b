using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloneFlow.Emulators;

/// <summary>
/// A private Azurite (Blob, Queue and Table emulator) for one test run or one local host: started
/// from the repository's <c>node_modules/.bin/azurite</c> on free loopback ports with a temporary
/// data folder, stopped by its pid. With a kept data folder (the local host's state) it runs as a
/// service of its own: its own session and process group, its output in <see cref="LogFileName"/>,
/// found again by its pid file, so a crash of the process that started it never takes the state down.
/// When <c>CLONEFLOW_STORAGE</c> holds a connection string, that storage account is used instead
/// and nothing is started.
/// </summary>
public sealed class AzuriteHost : IAsyncDisposable
{
    /// <summary>The environment variable that points CloneFlow at an existing storage account.</summary>
    public const string StorageEnvironmentVariable = "CLONEFLOW_STORAGE";

    /// <summary>Azurite's fixed development account and key (public, documented by Microsoft).</summary>
    private const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const int StartAttempts = 3;

    /// <summary>In a kept data folder: "pid blobPort queuePort tablePort" of the Azurite serving it.</summary>
    public const string PidFileName = "cloneflow-azurite.pid";

    /// <summary>In a kept data folder: what its detached Azurite prints.</summary>
    public const string LogFileName = "cloneflow-azurite.log";

    /// <summary>
    /// Azurite 3.37 keeps its blob, queue and table metadata in memory and writes it to disk every
    /// 5 seconds (<c>autosaveInterval: 5000</c> in its Loki stores): a write it acknowledged may be
    /// lost if Azurite itself dies within that time. Steps that must survive such a crash wait this long.
    /// </summary>
    public static readonly TimeSpan UnsavedWindow = TimeSpan.FromSeconds(6);

    private const string PidFile = PidFileName;

    private readonly string? _location;
    private readonly EventHandler? _onProcessExit;
    private readonly ProcessStartInfo? _start;
    private readonly BoundedLog _output = new();
    private readonly int[] _ports = [];
    private Process? _process;

    private readonly bool _keepData;

    private AzuriteHost(string connectionString, ProcessStartInfo? start, string? location, int[] ports, bool keepData = false)
    {
        ConnectionString = connectionString;
        _start = start;
        _location = location;
        _ports = ports;
        _keepData = keepData;
        if (start is not null && !Detached)
        {
            // A test run that dies without disposing must not leave Azurite behind.
            _onProcessExit = (_, _) =>
            {
                if (_process is { } process)
                {
                    Kill(process);
                }
            };
            AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
        }
    }

    /// <summary>The storage connection string (Blob, Queue and Table endpoints).</summary>
    public string ConnectionString { get; }

    /// <summary>Azurite's pid, or null when an external account from <c>CLONEFLOW_STORAGE</c> is used.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>The folder Azurite keeps its data in (null in memory or for an external account).</summary>
    public string? DataFolder => _location;

    /// <summary>True when Azurite runs as a service of its own (a kept data folder, on Unix): it outlives a crash of this process.</summary>
    public bool Detached => _keepData && !OperatingSystem.IsWindows();

    /// <summary>Starts Azurite (installing it with <c>npm ci</c> first if node_modules is missing), or uses <c>CLONEFLOW_STORAGE</c>.</summary>
    public static async Task<AzuriteHost> StartAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        if (options.HonourStorageEnvironmentVariable && Environment.GetEnvironmentVariable(StorageEnvironmentVariable) is { Length: > 0 } external)
        {
            return new AzuriteHost(external, start: null, location: null, ports: []);
        }

        if (options.DataFolder is not null && options.InMemory)
        {
            throw new ArgumentException("Azurite cannot keep its data in a folder and in memory only.", nameof(options));
        }

        var root = options.RepositoryRoot ?? NodeTools.FindRepositoryRoot();
        var executable = await NodeTools.EnsureAzuriteInstalledAsync(root, options.Log, cancellationToken);
        if (options.DataFolder is { } kept && await AdoptAsync(executable, Path.GetFullPath(kept), cancellationToken) is { } adopted)
        {
            options.Log?.WriteLine($"Azurite pid {adopted.ProcessId} already serves {kept}; using it");
            return adopted;
        }

        Exception? last = null;
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            try
            {
                return await StartNewAsync(executable, options, cancellationToken);
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

    private static async Task<AzuriteHost> StartNewAsync(string executable, AzuriteOptions options, CancellationToken cancellationToken)
    {
        var (blob, queue, table) = FreePorts.Three();
        var keep = options.DataFolder is not null;
        var location = options.InMemory ? null
            : keep ? Directory.CreateDirectory(options.DataFolder!).FullName
            : Directory.CreateTempSubdirectory("cloneflow-azurite-").FullName;
        var host = new AzuriteHost(ConnectionStringFor(blob, queue, table), StartInfo(executable, location, blob, queue, table), location, [blob, queue, table], keep);
        try
        {
            await host.StartProcessAsync(options.StartTimeout, cancellationToken);
            options.Log?.WriteLine($"Azurite pid {host.ProcessId} on 127.0.0.1:{blob}/{queue}/{table}, data in {location ?? "memory"}");
            if (keep)
            {
                await host.WritePidFileAsync(cancellationToken);
            }

            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The Azurite a kept data folder's pid file names, when it still runs and answers.</summary>
    private static async Task<AzuriteHost?> AdoptAsync(string executable, string location, CancellationToken cancellationToken)
    {
        var file = Path.Combine(location, PidFile);
        if (!File.Exists(file))
        {
            return null;
        }

        var fields = (await File.ReadAllTextAsync(file, cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var numbers = fields.Select(f => int.TryParse(f, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
        if (numbers.Length != 4 || numbers.Any(n => n <= 0))
        {
            return null;
        }

        Process process;
        try
        {
            process = Process.GetProcessById(numbers[0]);
        }
        catch (ArgumentException)
        {
            return null;
        }

        // A recycled pid belongs to some other program: only a live node process answering on the blob port is ours.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        if (!IsRunning(process) || !process.ProcessName.Contains("node", StringComparison.OrdinalIgnoreCase) || !await AnswersAsync(http, numbers[1], cancellationToken))
        {
            process.Dispose();
            return null;
        }

        return new AzuriteHost(ConnectionStringFor(numbers[1], numbers[2], numbers[3]), StartInfo(executable, location, numbers[1], numbers[2], numbers[3]), location, numbers[1..], keepData: true) { _process = process };
    }

    private static string ConnectionStringFor(int blob, int queue, int table) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
        + $"BlobEndpoint=http://127.0.0.1:{blob}/{AccountName};"
        + $"QueueEndpoint=http://127.0.0.1:{queue}/{AccountName};"
        + $"TableEndpoint=http://127.0.0.1:{table}/{AccountName};";

    /// <summary>How to start Azurite on these ports, keeping its data in <paramref name="location"/> (in memory only when null).</summary>
    private static ProcessStartInfo StartInfo(string executable, string? location, int blob, int queue, int table)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Azurite refuses a data location with in-memory persistence.
        foreach (var argument in location is null ? ["--inMemoryPersistence"] : new[] { "--location", location })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Azure.Storage.Blobs 12.30 speaks an API version newer than Azurite 3.37 knows.
            "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>
    /// Stops Azurite the way a service restart does (SIGTERM, so it saves its metadata; killed if it
    /// lingers), keeps it down for <paramref name="downtime"/>, and starts it again on the same ports
    /// and data folder: the connection string stays valid and every stored blob is still there.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime = default, TimeSpan? startTimeout = null, CancellationToken cancellationToken = default)
    {
        if (_start is null)
        {
            throw new InvalidOperationException($"Storage from {StorageEnvironmentVariable} is not an Azurite this host started; it cannot be restarted.");
        }

        if (_process is { } running)
        {
            await StopGracefullyAsync(running, cancellationToken);
            running.Dispose();
            _process = null;
        }

        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken);
        }

        await StartProcessAsync(startTimeout ?? TimeSpan.FromSeconds(60), cancellationToken);
    }

    private async Task StartProcessAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Detached)
        {
            var log = Path.Combine(_location!, LogFileName);
            _process = await LaunchDetachedAsync(_start!, log, cancellationToken);
            await WaitUntilAnsweringAsync(_process, _ports, timeout, () => LogTail(log), cancellationToken);
            return;
        }

        Process process;
        try
        {
            process = Process.Start(_start!) ?? throw new AzuriteStartException($"could not start {_start!.FileName}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Could not run {_start!.FileName}: {ex.Message}. Azurite needs Node.js 20 or later on PATH; or set {StorageEnvironmentVariable} to a storage connection string.",
                ex);
        }

        _process = process;
        process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilAnsweringAsync(process, _ports, timeout, _output.ToString, cancellationToken);
    }

    /// <summary>
    /// Starts Azurite in a session of its own (setsid) from a shell that exits at once, so it is no
    /// child and no group member of this process: a SIGKILL of this process, its tree or its group
    /// leaves it running. Its output goes to <paramref name="log"/>, never to a pipe that could close.
    /// </summary>
    private static async Task<Process> LaunchDetachedAsync(ProcessStartInfo azurite, string log, CancellationToken cancellationToken)
    {
        var launcher = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        launcher.ArgumentList.Add("-c");
        // The backgrounded child leads no group, so setsid needs no fork: the pid printed is Azurite's.
        launcher.ArgumentList.Add("log=\"$1\"; shift; setsid \"$@\" </dev/null >>\"$log\" 2>&1 & echo $!");
        launcher.ArgumentList.Add("cloneflow-azurite");
        launcher.ArgumentList.Add(log);
        launcher.ArgumentList.Add(azurite.FileName);
        foreach (var argument in azurite.ArgumentList)
        {
            launcher.ArgumentList.Add(argument);
        }

        using var shell = Process.Start(launcher) ?? throw new AzuriteStartException("could not start /bin/sh");
        var line = await shell.StandardOutput.ReadLineAsync(cancellationToken);
        await shell.WaitForExitAsync(cancellationToken);
        if (!int.TryParse(line, System.Globalization.CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            throw new AzuriteStartException($"could not start Azurite in a session of its own (setsid): {LogTail(log)}");
        }

        try
        {
            return Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            throw new AzuriteStartException($"Azurite exited at once: {LogTail(log)}");
        }
    }

    private static string LogTail(string log)
    {
        try
        {
            var lines = File.ReadLines(log).TakeLast(20).ToList();
            return lines.Count == 0 ? "(no output)" : string.Join(" | ", lines);
        }
        catch (IOException)
        {
            return "(no output)";
        }
    }

    /// <summary>
    /// Whether the process runs: a killed Azurite that nobody reaps (a detached one is no child of
    /// ours, and some init processes never reap) stays a zombie, which <see cref="Process.HasExited"/> counts as alive.
    /// </summary>
    private static bool IsRunning(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return false;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        try
        {
            // /proc/<pid>/stat: "pid (comm) S ...": the state follows the last ')'.
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is not ('Z' or 'X' or '\0');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Waits until the process no longer runs (polling: a detached one cannot be waited for), at most <paramref name="limit"/>.</summary>
    private static async Task WaitUntilGoneAsync(Process process, TimeSpan limit, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (IsRunning(process) && watch.Elapsed < limit)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// SIGKILL, as when the machine dies under it: whatever Azurite had not yet saved (up to
    /// <see cref="UnsavedWindow"/> of acknowledged writes) is lost. Then starts it again on the same
    /// ports and data folder, as a machine's service manager would.
    /// </summary>
    public async Task CrashAndRestartAsync(TimeSpan? startTimeout = null, CancellationToken cancellationToken = default)
    {
        if (_start is null || _location is null)
        {
            throw new InvalidOperationException("Only an Azurite this host started with a data folder can be crashed and restarted.");
        }

        if (_process is { } running)
        {
            Kill(running);
            await WaitUntilGoneAsync(running, TimeSpan.FromSeconds(10), cancellationToken);
            running.Dispose();
            _process = null;
        }

        await StartProcessAsync(startTimeout ?? TimeSpan.FromSeconds(60), cancellationToken);
        if (_keepData)
        {
            await WritePidFileAsync(cancellationToken);
        }
    }

    /// <summary>
    /// SIGKILLs the Azurite serving a kept data folder (found by its pid file), as a machine crash would, and
    /// waits until it is gone; nothing when none serves it. For crash drills of a host that started its own.
    /// </summary>
    public static async Task CrashAsync(string dataFolder, CancellationToken cancellationToken = default)
    {
        var file = Path.Combine(dataFolder, PidFile);
        if (!File.Exists(file) || !int.TryParse((await File.ReadAllTextAsync(file, cancellationToken)).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            Kill(process);
            await WaitUntilGoneAsync(process, TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    private Task WritePidFileAsync(CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(Path.Combine(_location!, PidFile), FormattableString.Invariant($"{ProcessId} {_ports[0]} {_ports[1]} {_ports[2]}"), cancellationToken);

    /// <summary>SIGTERM (Azurite saves its metadata store on the way out), then a kill after a grace period.</summary>
    private static async Task StopGracefullyAsync(Process process, CancellationToken cancellationToken)
    {
        if (!IsRunning(process))
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            try
            {
                using var signal = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
                if (signal is not null)
                {
                    await signal.WaitForExitAsync(cancellationToken);
                }

                await WaitUntilGoneAsync(process, TimeSpan.FromSeconds(10), cancellationToken);
                if (!IsRunning(process))
                {
                    return;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No kill(1) on PATH: killed below.
            }
        }

        Kill(process);
        await WaitUntilGoneAsync(process, TimeSpan.FromSeconds(10), cancellationToken);
    }

    private static async Task WaitUntilAnsweringAsync(Process process, int[] ports, TimeSpan timeout, Func<string> output, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        foreach (var port in ports)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!IsRunning(process))
                {
                    throw new AzuriteStartException($"Azurite exited: {output()}");
                }

                if (await AnswersAsync(http, port, cancellationToken))
                {
                    break;
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new AzuriteStartException($"Azurite did not answer on 127.0.0.1:{port} within {timeout.TotalSeconds:F0} s: {output()}");
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

    /// <summary>Stops Azurite by its pid and deletes its data folder (a kept folder is kept, and Azurite gets to save it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_onProcessExit is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        }

        if (_keepData)
        {
            if (_process is { } serving)
            {
                _process = null;
                await StopGracefullyAsync(serving, CancellationToken.None);
                serving.Dispose();
            }

            File.Delete(Path.Combine(_location!, PidFile));
            return;
        }

        if (_process is { } process)
        {
            _process = null;
            Kill(process);
            await process.WaitForExitAsync();
            process.Dispose();
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
