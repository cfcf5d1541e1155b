namespace CloneFlow.Simulator.SourceControl;

/// <summary>
/// The Git server every simulated instance can reach: repositories by URL, each holding one application's
/// files as last committed. Source control carries application files (the app record and its
/// <c>sys_metadata</c> records, tables and dictionary included), never the rows of the app's tables.
/// Callers hold the world lock.
/// </summary>
internal sealed class GitStore
{
    private readonly Dictionary<string, GitRepository> _repositories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The repositories, by URL.</summary>
    public IReadOnlyDictionary<string, GitRepository> Repositories => _repositories;

    /// <summary>The repository at <paramref name="url"/>, created empty when it does not exist yet.</summary>
    public GitRepository Open(string url, string defaultBranch)
    {
        if (!_repositories.TryGetValue(url, out var repository))
        {
            repository = new GitRepository(url, defaultBranch);
            _repositories[url] = repository;
        }

        return repository;
    }

    /// <summary>The repository at <paramref name="url"/>, or null.</summary>
    public GitRepository? Find(string url) => _repositories.GetValueOrDefault(url);
}

/// <summary>One repository: its commits per branch, newest last.</summary>
internal sealed class GitRepository(string url, string defaultBranch)
{
    private readonly Dictionary<string, List<GitCommit>> _branches = new(StringComparer.Ordinal);

    public string Url { get; } = url;

    public string DefaultBranch { get; } = defaultBranch;

    public IEnumerable<string> Branches => _branches.Keys;

    /// <summary>The latest commit of <paramref name="branch"/>, or null when nothing was committed there.</summary>
    public GitCommit? Head(string branch) => _branches.TryGetValue(branch, out var commits) && commits.Count > 0 ? commits[^1] : null;

    /// <summary>The commits of <paramref name="branch"/>, oldest first.</summary>
    public IReadOnlyList<GitCommit> Log(string branch) => _branches.TryGetValue(branch, out var commits) ? commits : [];

    /// <summary>Records a commit holding exactly <paramref name="files"/> (a whole snapshot, like ServiceNow's commits of an application).</summary>
    public GitCommit Commit(string branch, string message, string author, DateTimeOffset at, IReadOnlyList<GitFile> files)
    {
        if (!_branches.TryGetValue(branch, out var commits))
        {
            commits = [];
            _branches[branch] = commits;
        }

        // A 40-hex id like Git's, the same for the same history (estates are reproducible).
        var id = Data.SysIds.Stable($"{Url}:{branch}:{commits.Count}:{message}") + Data.SysIds.Stable(Url)[..8];
        var commit = new GitCommit(id, message, author, at, files);
        commits.Add(commit);
        return commit;
    }
}

/// <summary>One commit: a snapshot of the application's files.</summary>
internal sealed record GitCommit(string Id, string Message, string Author, DateTimeOffset At, IReadOnlyList<GitFile> Files);

/// <summary>One application file: its path in the repository and the record it holds (table and every field, sys_id included).</summary>
internal sealed record GitFile(string Path, string Table, IReadOnlyDictionary<string, string> Fields);
