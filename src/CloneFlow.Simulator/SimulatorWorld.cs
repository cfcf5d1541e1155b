namespace CloneFlow.Simulator;

/// <summary>
/// Everything the instances of one host share: the clock, the schema catalog and one lock. A single lock
/// keeps cross-instance work (a clone copies one instance onto another) simple and free of lock ordering.
/// </summary>
internal sealed class SimulatorWorld
{
    public SimulatorWorld(SimulatorOptions options)
    {
        Options = options;
        Clock = options.Clock ?? new SimulatorClock(options.ClockStart, options.ClockAcceleration);
        EnforceCloneInterval = options.EnforceCloneInterval;
        var index = 0;
        foreach (var instance in options.EffectiveInstances())
        {
            Instances[instance.Name] = new SimulatedInstance(this, instance, index++);
        }
    }

    public SimulatorOptions Options { get; }

    public ISimulatorClock Clock { get; }

    public Data.SchemaCatalog Schemas { get; } = new();

    /// <summary>The Git server all instances reach (Studio's source-control integration commits and imports here).</summary>
    public SourceControl.GitStore Git { get; } = new();

    public Lock Gate { get; } = new();

    public Dictionary<string, SimulatedInstance> Instances { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool EnforceCloneInterval { get; set; }

    /// <summary>
    /// A Retry-After value in real seconds for a wait of <paramref name="simulated"/> time: clients wait in
    /// real time, so an accelerated clock shortens it; a stopped clock (tests move it) reports simulated seconds.
    /// </summary>
    public int RetryAfterSeconds(TimeSpan simulated)
    {
        var acceleration = Clock is SimulatorClock clock ? clock.Acceleration : 1;
        var seconds = acceleration > 0 ? simulated.TotalSeconds / acceleration : simulated.TotalSeconds;
        return Math.Max(1, (int)Math.Ceiling(seconds));
    }

    /// <summary>Moves CI/CD jobs, clones and post-clone source-control imports along to the current simulated time.</summary>
    public void Tick()
    {
        lock (Gate)
        {
            var now = Clock.UtcNow;
            foreach (var instance in Instances.Values)
            {
                instance.Cicd.Tick(now);
                instance.Clones.Tick(now);
            }

            // After every clone has moved: a clone completed in this tick may already owe its post-clone import.
            foreach (var instance in Instances.Values)
            {
                instance.SourceControl.Tick(now);
            }
        }
    }
}
