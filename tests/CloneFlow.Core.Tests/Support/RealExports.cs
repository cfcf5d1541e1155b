namespace CloneFlow.Core.Tests.Support;

/// <summary>
/// The real ServiceNow exports in shared/fixtures/updatesets, found through CLONEFLOW_FIXTURES (set by
/// .ci/run) or beside the repository. A missing folder fails the tests loudly: it is never skipped.
/// </summary>
public static class RealExports
{
    public const string EnvironmentVariable = "CLONEFLOW_FIXTURES";

    public static string Folder
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
            var folder = string.IsNullOrEmpty(configured) ? DefaultFolder() : configured;
            if (folder is null || !Directory.Exists(folder) || Directory.GetFiles(folder, "*.xml").Length == 0)
            {
                throw new InvalidOperationException(
                    $"The real update-set exports are missing (looked in '{folder ?? "../shared/fixtures/updatesets beside the repository"}'). "
                    + $"Set {EnvironmentVariable} to the folder with the fixture XML files (.ci/run sets it).");
            }

            return folder;
        }
    }

    public static IEnumerable<string> Files => Directory.GetFiles(Folder, "*.xml").Order(StringComparer.Ordinal);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var file in Files)
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    public static string PathOf(string name) => Path.Combine(Folder, name);

    private static string? DefaultFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CloneFlow.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "updatesets"));
            }
        }

        return null;
    }
}
