using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Cicd;

/// <summary>
/// Preview, commit and back-out of remote update sets, with the rules of servicenow-api.md: preview and
/// commit act on the batch base and include its children; preview writes missing-object and collision
/// problems; commit needs a previewed set without unresolved problems, applies the payloads, creates a
/// local complete set per remote set and marks the remote sets committed.
/// </summary>
internal sealed class UpdateSetEngine(SimulatedInstance instance)
{
    /// <summary>Problem status meaning "Accept remote update".</summary>
    public const string Accepted = "ignored";

    /// <summary>Problem status meaning "Skip remote update": the update is not committed.</summary>
    public const string Skipped = "skipped";

    private const string RemoteTable = "sys_remote_update_set";
    private const string UpdateTable = "sys_update_xml";
    private const string ProblemTable = "sys_update_preview_problem";

    // Previous rows overwritten by a commit, per local set, so back_out can restore them.
    private readonly Dictionary<string, List<(string Table, string SysId, IReadOnlyDictionary<string, string>? Before)>> _applied =
        new(StringComparer.Ordinal);

    public (bool, string) Preview(CicdJob job)
    {
        var (sets, refusal) = Hierarchy(job.Target, "preview");
        if (refusal is not null)
        {
            return (false, refusal);
        }

        if (sets[0].GetValueOrDefault("state") == "committed")
        {
            return (false, $"Remote update set {job.Target} is already committed");
        }

        var setIds = sets.Select(s => s["sys_id"]).ToHashSet(StringComparer.Ordinal);
        foreach (var problem in instance.Data(ProblemTable).Rows().Where(p => setIds.Contains(p.GetValueOrDefault("remote_update_set", ""))).ToList())
        {
            instance.Data(ProblemTable).Remove(problem["sys_id"]);
        }

        var newestLocal = NewestLocalUpdates();
        var updates = 0;
        var problems = 0;
        foreach (var update in instance.Data(UpdateTable).Rows().Where(u => setIds.Contains(u.GetValueOrDefault("remote_update_set", ""))).ToList())
        {
            updates++;
            var table = PayloadReader.TableOf(update.GetValueOrDefault("payload"));
            if (table is not null && !instance.TableExistsCore(table))
            {
                AddProblem(update, "error",
                    $"Could not find a record in sys_db_object for table {table} referenced in this update. The table may come with a plugin or application that is not installed.",
                    "sys_db_object", table);
                problems++;
                continue;
            }

            var name = update.GetValueOrDefault("name", string.Empty);
            if (name.Length > 0 && newestLocal.TryGetValue(name, out var localTime) && localTime > TimeOf(update))
            {
                AddProblem(update, "error", "Found a local update that is newer than this one", string.Empty, string.Empty);
                problems++;
            }
        }

        foreach (var set in sets)
        {
            SetState(set, set == sets[0] ? "previewed" : "in_hierarchy");
        }

        job.Results = (RemoteTable, job.Target);
        return (true, $"Preview of {sets[0].GetValueOrDefault("name")} complete: {updates} updates in {sets.Count} update sets, {problems} problems");
    }

    public (bool, string) CommitMultiple(CicdJob job)
    {
        var committed = 0;
        foreach (var id in job.Target.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (ok, message) = Commit(job, id, job.Force);
            if (!ok)
            {
                return (false, $"Committed {committed} update sets, then stopped at {id}: {message}");
            }

            committed++;
        }

        return (true, $"Committed {committed} update sets in the given order");
    }

    public (bool, string) Commit(CicdJob job, string remoteId, bool force)
    {
        var (sets, refusal) = Hierarchy(remoteId, "commit");
        if (refusal is not null)
        {
            return (false, refusal);
        }

        var state = sets[0].GetValueOrDefault("state");
        if (state is not ("previewed" or "partial"))
        {
            return (false, $"Remote update set {sets[0].GetValueOrDefault("name")} ({remoteId}) is in state '{state}'; preview it before committing");
        }

        var setIds = sets.Select(s => s["sys_id"]).ToHashSet(StringComparer.Ordinal);
        var problems = instance.Data(ProblemTable).Rows().Where(p => setIds.Contains(p.GetValueOrDefault("remote_update_set", ""))).ToList();
        var unresolved = problems.Count(p => p.GetValueOrDefault("status", string.Empty) is not (Accepted or Skipped));
        if (unresolved > 0 && !force)
        {
            return (false,
                $"Commit of {sets[0].GetValueOrDefault("name")} refused: {unresolved} preview problems are unresolved. "
                + "Set each problem's status to 'ignored' (accept remote update) or 'skipped' (skip remote update), or fix the cause and preview again.");
        }

        var skipped = problems.Where(p => p.GetValueOrDefault("status") == Skipped)
            .Select(p => p.GetValueOrDefault("remote_update", string.Empty))
            .ToHashSet(StringComparer.Ordinal);
        var now = SnTime.Text(instance.Clock.UtcNow);
        var localOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var applied = 0;
        foreach (var set in sets)
        {
            var localId = instance.NewSysId();
            localOf[set["sys_id"]] = localId;
            var parent = set.GetValueOrDefault("parent", string.Empty);
            instance.PutRaw("sys_update_set", new Dictionary<string, string>
            {
                ["sys_id"] = localId,
                ["name"] = set.GetValueOrDefault("name", string.Empty),
                ["description"] = set.GetValueOrDefault("description", string.Empty),
                ["state"] = "complete",
                ["application"] = set.GetValueOrDefault("application", "global"),
                ["parent"] = localOf.GetValueOrDefault(parent, string.Empty),
                ["base_update_set"] = set == sets[0] || sets.Count == 1 ? string.Empty : localOf[sets[0]["sys_id"]],
                ["is_default"] = "false",
                ["origin_sys_id"] = set.GetValueOrDefault("origin_sys_id", string.Empty),
                ["remote_sys_id"] = set.GetValueOrDefault("remote_sys_id", string.Empty),
                ["install_date"] = now,
                ["sys_created_on"] = now,
                ["sys_created_by"] = "admin",
            });
            var log = new List<(string, string, IReadOnlyDictionary<string, string>?)>();
            _applied[localId] = log;
            var updates = instance.Data(UpdateTable).Rows()
                .Where(u => u.GetValueOrDefault("remote_update_set") == set["sys_id"])
                .OrderBy(TimeOf)
                .ToList();
            foreach (var update in updates)
            {
                if (skipped.Contains(update["sys_id"]))
                {
                    continue;
                }

                Apply(update, log);
                applied++;
                var copy = new Dictionary<string, string>(update, StringComparer.Ordinal)
                {
                    ["sys_id"] = instance.NewSysId(),
                    ["update_set"] = localId,
                    ["remote_update_set"] = string.Empty,
                };
                instance.PutRaw(UpdateTable, copy);
            }

            var committed = new Dictionary<string, string>(set, StringComparer.Ordinal)
            {
                ["state"] = "committed",
                ["commit_date"] = now,
                ["update_set"] = localId,
                ["sys_updated_on"] = now,
            };
            instance.Data(RemoteTable).Put(committed);
        }

        job.Results = ("sys_update_set", localOf[sets[0]["sys_id"]]);
        return (true, $"Committed {sets[0].GetValueOrDefault("name")}: {applied} updates applied in {sets.Count} update sets");
    }

    public (bool, string) BackOut(CicdJob job)
    {
        var local = instance.Data("sys_update_set").Get(job.Target);
        if (local is null)
        {
            return (false, $"Local update set {job.Target} not found");
        }

        if (!_applied.Remove(job.Target, out var log))
        {
            return (false, $"Update set {local.GetValueOrDefault("name")} was not committed on this instance by the simulator; nothing to back out");
        }

        for (var i = log.Count - 1; i >= 0; i--)
        {
            var (table, sysId, before) = log[i];
            if (before is null)
            {
                instance.Erase(table, sysId);
            }
            else
            {
                instance.Store(table, before);
            }
        }

        var backedOut = new Dictionary<string, string>(local, StringComparer.Ordinal) { ["state"] = "backed_out" };
        instance.Data("sys_update_set").Put(backedOut);
        return (true, $"Backed out {local.GetValueOrDefault("name")}: {log.Count} records restored");
    }

    /// <summary>The base set followed by its children (parents before children), or why the call is refused.</summary>
    private (List<IReadOnlyDictionary<string, string>> Sets, string? Refusal) Hierarchy(string remoteId, string verb)
    {
        var remote = instance.Data(RemoteTable).Get(remoteId);
        if (remote is null)
        {
            return ([], $"Remote update set {remoteId} not found on this instance");
        }

        var baseId = remote.GetValueOrDefault("remote_base_update_set", string.Empty);
        if ((baseId.Length > 0 && baseId != remoteId) || remote.GetValueOrDefault("parent", string.Empty).Length > 0)
        {
            var target = baseId.Length > 0 ? baseId : remote.GetValueOrDefault("parent");
            return ([], $"Remote update set {remote.GetValueOrDefault("name")} is a child in a batch; {verb} the batch base {target} instead");
        }

        var sets = new List<IReadOnlyDictionary<string, string>> { remote };
        var all = instance.Data(RemoteTable).Rows().ToList();
        for (var i = 0; i < sets.Count; i++)
        {
            var id = sets[i]["sys_id"];
            sets.AddRange(all.Where(s => s.GetValueOrDefault("parent") == id && !sets.Contains(s)));
        }

        // Children that point only at the base (no parent) still belong to the batch.
        sets.AddRange(all.Where(s => s.GetValueOrDefault("remote_base_update_set") == remoteId && !sets.Contains(s)));
        return (sets, null);
    }

    private Dictionary<string, long> NewestLocalUpdates()
    {
        var newest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var update in instance.Data(UpdateTable).Rows())
        {
            if (update.GetValueOrDefault("remote_update_set", string.Empty).Length > 0)
            {
                continue;
            }

            var name = update.GetValueOrDefault("name", string.Empty);
            var time = TimeOf(update);
            if (name.Length > 0 && (!newest.TryGetValue(name, out var known) || time > known))
            {
                newest[name] = time;
            }
        }

        return newest;
    }

    /// <summary>When an update was recorded: sys_recorded_at (survives re-insertion) or else sys_updated_on.</summary>
    private static long TimeOf(IReadOnlyDictionary<string, string> update) =>
        SnTime.RecordedAtMillis(update.GetValueOrDefault("sys_recorded_at"))
        ?? SnTime.Parse(update.GetValueOrDefault("sys_updated_on"))?.ToUnixTimeMilliseconds()
        ?? 0;

    private void AddProblem(IReadOnlyDictionary<string, string> update, string type, string description, string missingTable, string missingItem) =>
        instance.PutRaw(ProblemTable, new Dictionary<string, string>
        {
            ["sys_id"] = instance.NewSysId(),
            ["type"] = type,
            ["description"] = description,
            ["status"] = string.Empty,
            ["remote_update"] = update["sys_id"],
            ["remote_update_set"] = update.GetValueOrDefault("remote_update_set", string.Empty),
            ["missing_item_table"] = missingTable,
            ["missing_item"] = missingItem,
            ["available_actions"] = string.Empty,
            ["sys_created_by"] = "admin",
        });

    private void SetState(IReadOnlyDictionary<string, string> set, string state)
    {
        var changed = new Dictionary<string, string>(set, StringComparer.Ordinal)
        {
            ["state"] = state,
            ["sys_updated_on"] = SnTime.Text(instance.Clock.UtcNow),
        };
        instance.Data(RemoteTable).Put(changed);
    }

    private void Apply(IReadOnlyDictionary<string, string> update, List<(string, string, IReadOnlyDictionary<string, string>?)> log)
    {
        var record = PayloadReader.Read(update.GetValueOrDefault("payload"));
        if (record is null || !record.Fields.TryGetValue("sys_id", out var sysId) || sysId.Length == 0 || !instance.TableExistsCore(record.Table))
        {
            // Dictionary-style payloads without a sys_id, and tables missing under force_commit, change nothing here.
            return;
        }

        var before = instance.Data(record.Table).Get(sysId);
        log.Add((record.Table, sysId, before));
        if (update.GetValueOrDefault("action") == "DELETE" || record.Action == "DELETE")
        {
            instance.Erase(record.Table, sysId);
            return;
        }

        var row = before is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(before, StringComparer.Ordinal);
        foreach (var (field, value) in record.Fields)
        {
            row[field] = value;
        }

        instance.PutRaw(record.Table, row);
    }
}
