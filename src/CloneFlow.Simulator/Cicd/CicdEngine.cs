namespace CloneFlow.Simulator.Cicd;

/// <summary>
/// The CI/CD job queue of one instance. Jobs that need the instance-wide update mutex run one at a
/// time (queued, not refused, as since Tokyo): Pending, then Running for the job's duration on the
/// simulator clock, then Successful or Failed.
/// </summary>
internal sealed class CicdEngine(SimulatedInstance instance)
{
    private readonly List<CicdJob> _jobs = [];
    private readonly UpdateSetEngine _updateSets = new(instance);

    public CicdJob Enqueue(CicdJobKind kind, string target, bool force)
    {
        var options = instance.World.Options;
        var job = new CicdJob
        {
            Id = instance.NewSysId(),
            Kind = kind,
            Target = target,
            Force = force,
            QueuedAt = instance.Clock.UtcNow,
            Duration = kind is CicdJobKind.PluginActivate or CicdJobKind.PluginRollback ? options.PluginActivationDuration : options.CicdJobDuration,
        };
        _jobs.Add(job);
        return job;
    }

    public CicdJob? Find(string id) => _jobs.Find(j => j.Id == id);

    public void Clear() => _jobs.Clear();

    public void Tick(DateTimeOffset now)
    {
        var queueDelay = instance.World.Options.CicdQueueDelay;
        while (true)
        {
            var running = _jobs.Find(j => j.Status == 1);
            if (running is not null)
            {
                var finish = running.StartedAt!.Value + running.Duration;
                if (now < finish)
                {
                    return;
                }

                Execute(running);
                continue;
            }

            var next = _jobs.Find(j => j.Status == 0 && j.QueuedAt + queueDelay <= now);
            if (next is null)
            {
                return;
            }

            next.Status = 1;
            next.StartedAt = next.QueuedAt + queueDelay;
        }
    }

    private void Execute(CicdJob job)
    {
        try
        {
            var (ok, message) = job.Kind switch
            {
                CicdJobKind.Preview => _updateSets.Preview(job),
                CicdJobKind.Commit => _updateSets.Commit(job, job.Target, job.Force),
                CicdJobKind.CommitMultiple => _updateSets.CommitMultiple(job),
                CicdJobKind.BackOut => _updateSets.BackOut(job),
                CicdJobKind.PluginActivate => SetPlugin(job, true),
                _ => SetPlugin(job, false),
            };
            job.Status = ok ? 2 : 3;
            job.StatusMessage = message;
            if (!ok)
            {
                job.Error = message;
            }
        }
        catch (InvalidOperationException ex)
        {
            job.Status = 3;
            job.StatusMessage = ex.Message;
            job.Error = ex.Message;
        }
    }

    private (bool, string) SetPlugin(CicdJob job, bool active)
    {
        var plugin = Data.PluginCatalog.Find(job.Target);
        if (plugin is null)
        {
            return (false, $"Plugin {job.Target} not found on this instance");
        }

        instance.SetPluginActiveCore(plugin.Id, active);
        var row = instance.Data("sys_plugins").Rows().FirstOrDefault(p => p["source"] == plugin.Id);
        if (row is not null)
        {
            job.Results = ("sys_plugins", row["sys_id"]);
        }

        return (true, active ? $"Plugin {plugin.Name} ({plugin.Id}) activated" : $"Plugin {plugin.Name} ({plugin.Id}) rolled back");
    }
}
