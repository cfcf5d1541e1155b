using System.Globalization;
using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.SourceControl;

/// <summary>
/// Studio's source-control integration on one instance, and the platform's post-clone import of linked apps.
/// Linking an app writes its <c>sys_repo_config</c> row (<c>sys_app</c> -> the app) and commits the app's files to
/// the world's <see cref="GitStore"/>. When a clone overwrites this instance, the apps linked here before node
/// repoint are re-imported from their repositories some time after the clone completes, but only when
/// <c>glide.source_control.post_clone_import_enabled</c> is <c>true</c> here both before the clone and after it
/// (the strict reading: ServiceNow does not say which instance's value counts). Callers hold the world lock.
/// </summary>
internal sealed class SourceControlEngine(SimulatedInstance instance)
{
    /// <summary>The table of repository configurations (one row per linked app).</summary>
    public const string RepoConfigTable = "sys_repo_config";

    /// <summary>Switches the post-clone import on (only the value <c>true</c> does).</summary>
    public const string ImportEnabledProperty = "glide.source_control.post_clone_import_enabled";

    /// <summary>Seconds the post-clone import waits before it processes its queue (documented default 0).</summary>
    public const string ImportDelayProperty = "glide.source_control.post_clone_import_delay_time_sec";

    private List<LinkedApp>? _captured;
    private bool _enabledBefore;
    private PendingImport? _pending;

    /// <summary>When the pending post-clone import runs and which apps it brings back, or null.</summary>
    public (DateTimeOffset Due, IReadOnlyList<string> Scopes)? Pending =>
        _pending is { } pending ? (pending.Due, pending.Apps.Select(a => a.Scope).ToList()) : null;

    public void Clear()
    {
        _captured = null;
        _enabledBefore = false;
        _pending = null;
    }

    /// <summary>
    /// Links an application to a repository as Studio's "Link to source control" does: a <c>sys_repo_config</c> row and
    /// a first commit of the app's files. Refused on production (ServiceNow does not support linking there) and for an app
    /// already linked. <paramref name="app"/> is the app's scope or sys_id. Returns the <c>sys_repo_config</c> sys_id.
    /// </summary>
    public string Link(string app, string url, string branch, string user)
    {
        if (instance.IsProduction)
        {
            throw new InvalidOperationException($"{instance.Name} is a production instance: source control links only apps on non-production instances.");
        }

        var appSysId = instance.AppSysIdCore(app);
        var record = instance.Data("sys_app").Get(appSysId)!;
        if (ConfigOf(appSysId) is not null)
        {
            throw new InvalidOperationException($"Application {record.GetValueOrDefault("scope")} is already linked to source control on {instance.Name}.");
        }

        var now = SnTime.Text(instance.Clock.UtcNow);
        var config = instance.PutRaw(RepoConfigTable, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sys_id"] = SysIds.Stable($"{RepoConfigTable}:{instance.Name}:{appSysId}"),
            ["sys_app"] = appSysId,
            ["url"] = url,
            ["branch"] = branch,
            ["username"] = user,
            ["password"] = "git-token",
            ["mid_server"] = string.Empty,
            ["sys_created_on"] = now,
            ["sys_created_by"] = user,
        });
        instance.World.Git.Open(url, branch);
        Commit(appSysId, $"Link {record.GetValueOrDefault("name")} to source control", user);
        return config["sys_id"];
    }

    /// <summary>Commits the app's files as they are now ("Commit changes" in Studio); returns the commit id.</summary>
    public string Commit(string appSysId, string message, string user)
    {
        var config = ConfigOf(appSysId) ?? throw new InvalidOperationException($"Application {appSysId} is not linked to source control on {instance.Name}.");
        var repository = instance.World.Git.Open(config["url"], config.GetValueOrDefault("branch", "main"));
        return repository.Commit(config.GetValueOrDefault("branch", repository.DefaultBranch), message, user, instance.Clock.UtcNow, Snapshot(appSysId)).Id;
    }

    /// <summary>The app's files: its record and every <c>sys_metadata</c> record in its scope, as their own tables hold them. No table rows.</summary>
    public List<GitFile> Snapshot(string appSysId)
    {
        var files = new List<GitFile>();
        if (instance.Data("sys_app").Get(appSysId) is { } app)
        {
            files.Add(new GitFile($"{appSysId}/sys_app_{appSysId}.xml", "sys_app", app));
        }

        foreach (var metadata in instance.Data(TableHierarchy.Metadata).Rows().Where(r => r.GetValueOrDefault("sys_scope") == appSysId).ToList())
        {
            var table = metadata.GetValueOrDefault("sys_class_name") is { Length: > 0 } leaf ? leaf : TableHierarchy.Metadata;
            var record = instance.Data(table).Get(metadata["sys_id"]) ?? metadata;
            var name = record.GetValueOrDefault("sys_update_name") is { Length: > 0 } updateName ? updateName : $"{table}_{record["sys_id"]}";
            files.Add(new GitFile($"{appSysId}/update/{name}.xml", table, record));
        }

        return files;
    }

    /// <summary>At node repoint, before the target is overwritten: which apps are linked here and whether the import is enabled here now.</summary>
    public void BeforeOverwrite()
    {
        _pending = null;
        _enabledBefore = IsEnabled();
        _captured = [];
        foreach (var config in instance.Data(RepoConfigTable).Rows())
        {
            var appId = config.GetValueOrDefault("sys_app", string.Empty);
            if (appId.Length > 0 && instance.Data("sys_app").Get(appId) is { } app)
            {
                _captured.Add(new LinkedApp(config["sys_id"], appId, app.GetValueOrDefault("scope", string.Empty),
                    config.GetValueOrDefault("url", string.Empty), config.GetValueOrDefault("branch", "main")));
            }
        }
    }

    /// <summary>
    /// After the copy: the repository configurations are the target's own (the clone keeps them, as ServiceNow's post-clone
    /// results table shows), and a configuration whose app the clone removed has its app field emptied.
    /// </summary>
    public void AfterOverwrite()
    {
        foreach (var config in instance.Data(RepoConfigTable).Rows().ToList())
        {
            var appId = config.GetValueOrDefault("sys_app", string.Empty);
            if (appId.Length > 0 && !instance.Data("sys_app").Contains(appId))
            {
                instance.Store(RepoConfigTable, new Dictionary<string, string>(config, StringComparer.Ordinal)
                {
                    ["sys_app"] = string.Empty,
                    ["sys_updated_on"] = SnTime.Text(instance.Clock.UtcNow),
                    ["sys_updated_by"] = "system",
                });
            }
        }
    }

    /// <summary>When the clone completes: queue the import when it is enabled before and after the clone and apps were linked.</summary>
    public void CloneCompleted(DateTimeOffset at)
    {
        var captured = _captured;
        _captured = null;
        if (captured is not { Count: > 0 } || !_enabledBefore || !IsEnabled())
        {
            return;
        }

        var delaySeconds = double.TryParse(instance.GetPropertyCore(ImportDelayProperty), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : 0;
        var options = instance.World.Options;
        _pending = new PendingImport(at + options.RestartWindow + options.SourceControlImportDelay + TimeSpan.FromSeconds(delaySeconds), captured);
    }

    public void Tick(DateTimeOffset now)
    {
        if (_pending is not { } pending || now < pending.Due)
        {
            return;
        }

        _pending = null;
        foreach (var app in pending.Apps)
        {
            Import(app);
        }
    }

    private bool IsEnabled() => instance.GetPropertyCore(ImportEnabledProperty) == "true";

    private IReadOnlyDictionary<string, string>? ConfigOf(string appSysId) =>
        instance.Data(RepoConfigTable).Rows().FirstOrDefault(r => r.GetValueOrDefault("sys_app") == appSysId);

    /// <summary>Applies the repository's head: the app's files become exactly the committed ones (records with their sys_ids); table rows stay as they are.</summary>
    private void Import(LinkedApp app)
    {
        if (instance.World.Git.Find(app.Url)?.Head(app.Branch) is not { } head)
        {
            return;
        }

        var committed = head.Files.Select(f => f.Fields["sys_id"]).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in instance.Data(TableHierarchy.Metadata).Rows().Where(r => r.GetValueOrDefault("sys_scope") == app.AppSysId && !committed.Contains(r["sys_id"])).ToList())
        {
            instance.Erase(TableHierarchy.Metadata, stale["sys_id"]);
        }

        // The app record first (sys_app and its sys_scope row), then tables before their dictionary, then the other files.
        foreach (var file in head.Files.OrderBy(f => f.Table switch { "sys_app" => 0, "sys_db_object" => 1, "sys_dictionary" => 2, _ => 3 }))
        {
            instance.PutRaw(file.Table, file.Fields);
        }

        var config = instance.Data(RepoConfigTable).Get(app.ConfigSysId);
        if (config is not null && config.GetValueOrDefault("sys_app") != app.AppSysId)
        {
            instance.Store(RepoConfigTable, new Dictionary<string, string>(config, StringComparer.Ordinal)
            {
                ["sys_app"] = app.AppSysId,
                ["sys_updated_on"] = SnTime.Text(instance.Clock.UtcNow),
                ["sys_updated_by"] = "system",
            });
        }
    }

    private sealed record LinkedApp(string ConfigSysId, string AppSysId, string Scope, string Url, string Branch);

    private sealed record PendingImport(DateTimeOffset Due, IReadOnlyList<LinkedApp> Apps);
}
