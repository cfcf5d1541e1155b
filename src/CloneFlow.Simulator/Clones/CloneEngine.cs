using System.Globalization;
using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Clones;

/// <summary>
/// The clone engine of a source instance. A row inserted into <c>sn_instance_clone_request</c> requests a
/// clone; the engine moves it Requested -> Scheduled -> Active (named phases) -> Completed on the
/// simulator clock, overwrites the target when node repoint starts, runs the cleanup and the target's
/// restart window at the end, and enforces the rules: allowed targets only, one active clone per
/// target, 5 days between clones, cancel only before node repoint.
/// </summary>
internal sealed class CloneEngine(SimulatedInstance source)
{
    public const string RequestTable = "sn_instance_clone_request";

    /// <summary>The active phases in order.</summary>
    public static readonly IReadOnlyList<string> Phases =
    [
        "build configuration", "preflight checks", "backup", "pre-clone", "provision", "restore", "exclusions", "preservers",
        "node repoint", "schedule scripts", "post-clone cleanup",
    ];

    public static readonly int NodeRepoint = 8;

    private static readonly HashSet<string> OpenStates = new(StringComparer.Ordinal) { "requested", "scheduled", "active", "hold" };

    private readonly Dictionary<string, DateTimeOffset> _since = new(StringComparer.Ordinal);
    private int _sequence = 1000;

    private static bool IsOwn(SimulatedInstance instance, IReadOnlyDictionary<string, string> row) =>
        string.Equals(row.GetValueOrDefault("source_instance"), instance.Name, StringComparison.OrdinalIgnoreCase);

    public void Clear()
    {
        _since.Clear();
        _sequence = 1000;
    }

    /// <summary>Validates and completes a new request; returns why it is refused, or null.</summary>
    public string? BeforeInsert(Dictionary<string, string> row, string user)
    {
        var now = source.Clock.UtcNow;
        var sourceName = row.GetValueOrDefault("source_instance", string.Empty);
        if (sourceName.Length > 0 && !string.Equals(sourceName, source.Name, StringComparison.OrdinalIgnoreCase))
        {
            return $"Clones are requested on the source instance: this is {source.Name}, not {sourceName}.";
        }

        var targetName = row.GetValueOrDefault("target_instance", string.Empty);
        if (!source.World.Instances.TryGetValue(targetName, out var target))
        {
            return $"Unknown target instance '{targetName}'. Known instances: {string.Join(", ", source.World.Instances.Keys)}.";
        }

        if (target == source)
        {
            return $"An instance cannot be cloned over itself ({source.Name}).";
        }

        if (target.IsProduction || target.GetPropertyCore(SimulatedInstance.AllowCloneTargetProperty) != "true")
        {
            return $"Instance {target.Name} is not allowed as a clone target (production instances never are; "
                + $"{SimulatedInstance.AllowCloneTargetProperty} must be true).";
        }

        foreach (var instance in source.World.Instances.Values)
        {
            var open = instance.Data(RequestTable).Rows().FirstOrDefault(r =>
                string.Equals(r.GetValueOrDefault("target_instance"), target.Name, StringComparison.OrdinalIgnoreCase)
                && OpenStates.Contains(r.GetValueOrDefault("state", string.Empty)) && IsOwn(instance, r));
            if (open is not null)
            {
                return $"Target {target.Name} already has an active clone ({open.GetValueOrDefault("number")} on {instance.Name}, state {open.GetValueOrDefault("state")}). Only one clone per target may be active.";
            }
        }

        if (source.World.EnforceCloneInterval)
        {
            var interval = source.World.Options.CloneInterval;
            var last = source.World.Instances.Values
                .SelectMany(i => i.Data(RequestTable).Rows())
                .Where(r => string.Equals(r.GetValueOrDefault("target_instance"), target.Name, StringComparison.OrdinalIgnoreCase)
                    && r.GetValueOrDefault("state") == "completed")
                .Select(r => SnTime.Parse(r.GetValueOrDefault("completed")))
                .Where(t => t is not null)
                .Max();
            if (last is { } completed && now - completed < interval)
            {
                return $"Target {target.Name} was cloned on {SnTime.Text(completed)}; clones to the same target must be at least {interval.TotalDays:0} days apart (next possible {SnTime.Text(completed + interval)}).";
            }
        }

        var profile = row.GetValueOrDefault("profile", string.Empty);
        if (profile.Length > 0 && !source.Data("clone_profile").Contains(profile))
        {
            return $"Clone profile {profile} does not exist on {source.Name}.";
        }

        if (string.IsNullOrEmpty(row.GetValueOrDefault("number")))
        {
            row["number"] = "CLN" + (++_sequence).ToString("0000000", CultureInfo.InvariantCulture);
        }

        row["source_instance"] = source.Name;
        row["target_instance"] = target.Name;
        row["state"] = "requested";
        row["phase"] = string.Empty;
        row["percent_complete"] = "0";
        row["started"] = string.Empty;
        row["completed"] = string.Empty;
        row["state_message"] = "Clone requested";
        row["requested_by"] = user;
        row.TryAdd("cancel_requested", "false");
        _since[row["sys_id"]] = now;
        return null;
    }

    /// <summary>Applies a client's change to a request: cancel before node repoint, resume from hold; returns why it is refused, or null.</summary>
    public string? BeforeUpdate(IReadOnlyDictionary<string, string> existing, Dictionary<string, string> row)
    {
        var number = existing.GetValueOrDefault("number");
        var state = existing.GetValueOrDefault("state", string.Empty);
        var wantsCancel = (row.GetValueOrDefault("state") == "canceled" && state != "canceled")
            || (row.GetValueOrDefault("cancel_requested") == "true" && existing.GetValueOrDefault("cancel_requested") != "true");
        if (wantsCancel)
        {
            if (!OpenStates.Contains(state))
            {
                return $"Clone {number} is {state}; it can no longer be canceled.";
            }

            var phase = Phases.ToList().IndexOf(existing.GetValueOrDefault("phase", string.Empty));
            if (phase >= NodeRepoint)
            {
                return $"Clone {number} is past node repoint (phase '{existing.GetValueOrDefault("phase")}'): the target is already overwritten and the clone can no longer be canceled.";
            }

            row["state"] = "canceled";
            row["cancel_requested"] = "true";
            row["state_message"] = "Canceled on request";
            row["completed"] = SnTime.Text(source.Clock.UtcNow);
            return null;
        }

        var newState = row.GetValueOrDefault("state", string.Empty);
        if (newState == state)
        {
            return null;
        }

        if (state == "hold" && newState == "active")
        {
            _since[existing["sys_id"]] = source.Clock.UtcNow;
            row["state_message"] = "Resumed";
            return null;
        }

        return $"The state of clone {number} is managed by the clone engine; a client may only cancel it (state=canceled or cancel_requested=true) or resume it from hold (state=active).";
    }

    public bool Resume(string number, DateTimeOffset now)
    {
        var row = source.Data(RequestTable).Rows().FirstOrDefault(r => r.GetValueOrDefault("number") == number && r.GetValueOrDefault("state") == "hold");
        if (row is null)
        {
            return false;
        }

        _since[row["sys_id"]] = now;
        Put(row, ("state", "active"), ("state_message", "Resumed"));
        return true;
    }

    public void Tick(DateTimeOffset now)
    {
        foreach (var row in source.Data(RequestTable).Rows().ToList())
        {
            // A request copied onto a target by an earlier clone belongs to its source's engine, not this one.
            if (row.GetValueOrDefault("state") is "requested" or "scheduled" or "active" && IsOwn(source, row))
            {
                Advance(row, now);
            }
        }
    }

    private void Advance(IReadOnlyDictionary<string, string> row, DateTimeOffset now)
    {
        var options = source.World.Options;
        var sysId = row["sys_id"];
        var since = _since.TryGetValue(sysId, out var known) ? known : SnTime.Parse(row.GetValueOrDefault("sys_created_on")) ?? now;
        var phaseLength = options.CloneDuration / Phases.Count;
        while (true)
        {
            switch (row.GetValueOrDefault("state"))
            {
                case "requested":
                    var scheduledAt = since + options.CloneSchedulingDelay;
                    if (now < scheduledAt)
                    {
                        return;
                    }

                    row = Put(row, ("state", "scheduled"), ("state_message", "Clone scheduled"));
                    since = scheduledAt;
                    break;
                case "scheduled":
                    var start = SnTime.Parse(row.GetValueOrDefault("scheduled_start")) is { } planned && planned > since ? planned : since;
                    if (now < start)
                    {
                        _since[sysId] = since;
                        return;
                    }

                    since = start;
                    row = Put(row, ("state", "active"), ("started", SnTime.Text(start)), ("phase", Phases[0]), ("percent_complete", "0"),
                        ("state_message", "Clone in progress"));
                    if (!EnterPhase(ref row, 0, start))
                    {
                        _since[sysId] = since;
                        return;
                    }

                    break;
                case "active":
                    var index = Math.Max(0, Phases.ToList().IndexOf(row.GetValueOrDefault("phase", string.Empty)));
                    var phaseEnd = since + phaseLength;
                    if (now < phaseEnd)
                    {
                        var percent = (int)((index + (now - since) / phaseLength) * 100 / Phases.Count);
                        row = Put(row, ("percent_complete", Math.Min(99, percent).ToString(CultureInfo.InvariantCulture)));
                        _since[sysId] = since;
                        return;
                    }

                    since = phaseEnd;
                    if (index + 1 >= Phases.Count)
                    {
                        Complete(row, phaseEnd);
                        _since.Remove(sysId);
                        return;
                    }

                    row = Put(row, ("phase", Phases[index + 1]),
                        ("percent_complete", ((index + 1) * 100 / Phases.Count).ToString(CultureInfo.InvariantCulture)));
                    if (!EnterPhase(ref row, index + 1, phaseEnd))
                    {
                        _since[sysId] = since;
                        return;
                    }

                    break;
                default:
                    return;
            }
        }
    }

    /// <summary>Runs what happens when a phase starts; false when the clone stops (hold or error).</summary>
    private bool EnterPhase(ref IReadOnlyDictionary<string, string> row, int index, DateTimeOffset at)
    {
        var faults = source.CloneFaults;
        var phase = Phases[index];
        if (string.Equals(faults.ErrorAtPhase, phase, StringComparison.OrdinalIgnoreCase))
        {
            row = Put(row, ("state", "error"), ("state_message", $"Clone failed during phase '{phase}' (injected fault)"), ("completed", SnTime.Text(at)));
            return false;
        }

        if (string.Equals(faults.HoldAtPhase, phase, StringComparison.OrdinalIgnoreCase))
        {
            row = Put(row, ("state", "hold"), ("state_message", $"Clone on hold at phase '{phase}' (injected fault)"));
            return false;
        }

        if (index == NodeRepoint)
        {
            var target = source.World.Instances[row["target_instance"]];
            target.SourceControl.BeforeOverwrite();
            CloneCopier.Copy(source, target, row);
            target.SourceControl.AfterOverwrite();
        }

        return true;
    }

    private void Complete(IReadOnlyDictionary<string, string> row, DateTimeOffset at)
    {
        var target = source.World.Instances[row["target_instance"]];
        var profile = source.Data("clone_profile").Get(row.GetValueOrDefault("profile", string.Empty));
        if (profile?.GetValueOrDefault("run_cleanup") != "false")
        {
            target.SetPropertyCore("glide.email.smtp.active", "false");
            target.SetPropertyCore("glide.email.read.active", "false");
        }

        target.RestartUntilCore(at + source.World.Options.RestartWindow);
        target.SourceControl.CloneCompleted(at);
        Put(row, ("state", "completed"), ("phase", string.Empty), ("percent_complete", "100"), ("completed", SnTime.Text(at)),
            ("state_message", "Clone completed"));
    }

    private Dictionary<string, string> Put(IReadOnlyDictionary<string, string> row, params (string Field, string Value)[] changes)
    {
        var changed = new Dictionary<string, string>(row, StringComparer.Ordinal);
        foreach (var (field, value) in changes)
        {
            changed[field] = value;
        }

        changed["sys_updated_on"] = SnTime.Text(source.Clock.UtcNow);
        changed["sys_updated_by"] = "system";
        source.Data(RequestTable).Put(changed);
        return changed;
    }
}
