using System.Diagnostics;

namespace CloneFlow.Emulators;

/// <summary>Finds the repository's Node.js tools and installs them once with <c>npm ci</c> when they are missing.</summary>
public static class NodeTools
{
    private static readonly string InstallLockPath = Path.Combine(Path.GetTempPath(), "cloneflow-npm-ci.lock");

    /// <summary>The nearest folder above the app or the current directory whose package.json lists azurite.</summary>
    public static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var packageJson = Path.Combine(dir.FullName, "package.json");
                if (File.Exists(packageJson) && File.ReadAllText(packageJson).Contains("\"azurite\"", StringComparison.Ordinal))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            "Could not find CloneFlow's package.json (with azurite) above the app or the current directory. "
            + $"Run from the repository, or set {AzuriteHost.StorageEnvironmentVariable} to a storage connection string.");
    }

    /// <summary>The path of <c>node_modules/.bin/azurite</c>, running <c>npm ci</c> first if it is missing.</summary>
    public static async Task<string> EnsureAzuriteInstalledAsync(string repositoryRoot, TextWriter? log, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite");
        if (File.Exists(executable))
        {
            return executable;
        }

        // Test assemblies start in parallel: one of them installs, the others wait for it.
        await using var installLock = await AcquireLockAsync(cancellationToken);
        if (File.Exists(executable))
        {
            return executable;
        }

        var message = $"node_modules is missing in {repositoryRoot}: running 'npm ci' once to install Azurite (about a minute)...";
        (log ?? Console.Error).WriteLine(message);
        await RunNpmCiAsync(repositoryRoot, cancellationToken);
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"'npm ci' finished but {executable} is still missing; check package.json lists azurite.");
        }

        return executable;
    }

    private static async Task RunNpmCiAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start npm.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"node_modules is missing and npm could not be run ({ex.Message}). Install Node.js 20+ and run 'npm ci' in {repositoryRoot}.",
                ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'npm ci' failed with exit code {process.ExitCode} in {repositoryRoot}: {(await stderr).Trim()} {(await stdout).Trim()}");
            }
        }
    }

    private static async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(InstallLockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }
}
