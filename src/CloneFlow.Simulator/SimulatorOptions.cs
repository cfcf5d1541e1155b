using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Simulator;

/// <summary>What a <see cref="SimulatorHost"/> starts: instances, ports, clock, timings, estate and default faults.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The instances; empty means prod, test and dev.</summary>
    public IList<SimulatorInstanceOptions> Instances { get; } = [];

    /// <summary>First port (instance i listens on BasePort + i); 0 picks free ports.</summary>
    public int BasePort { get; set; }

    /// <summary>Seed of the estate generator; null leaves the instances with the platform baseline only.</summary>
    public int? Seed { get; set; }

    /// <summary>How big the seeded estate is.</summary>
    public EstateOptions Estate { get; set; } = new();

    /// <summary>API calls allowed per user per simulated hour on every instance (0 = no limit).</summary>
    public int RateLimitPerHour { get; set; }

    /// <summary>Latency added to every API call, in real milliseconds.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Fraction (0..1) of API calls answered with a 500.</summary>
    public double ErrorRate { get; set; }

    /// <summary>Simulated seconds per real second (60 by default; 0 stops the clock so only tests advance it).</summary>
    public double ClockAcceleration { get; set; } = 60;

    /// <summary>Simulated time at start.</summary>
    public DateTimeOffset ClockStart { get; set; } = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A clock to use instead of creating one (tests share a clock across hosts).</summary>
    public ISimulatorClock? Clock { get; set; }

    /// <summary>Total simulated duration of a clone's active phases.</summary>
    public TimeSpan CloneDuration { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Simulated time a requested clone waits before it is scheduled.</summary>
    public TimeSpan CloneSchedulingDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a clone target answers 503 after the clone completes.</summary>
    public TimeSpan RestartWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long after the restart window the platform's post-clone import of source-controlled apps runs (plus the
    /// target's <c>glide.source_control.post_clone_import_delay_time_sec</c>). Simulated time.
    /// </summary>
    public TimeSpan SourceControlImportDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Minimum gap between completed clones to the same target (the 5-day rule).</summary>
    public TimeSpan CloneInterval { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Whether the 5-day rule is enforced.</summary>
    public bool EnforceCloneInterval { get; set; } = true;

    /// <summary>Simulated time a CI/CD job stays pending before it runs.</summary>
    public TimeSpan CicdQueueDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Simulated time a CI/CD job runs.</summary>
    public TimeSpan CicdJobDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Simulated time a plugin activation runs.</summary>
    public TimeSpan PluginActivationDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Lifetime of an OAuth access token.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromSeconds(1799);

    /// <summary>Lifetime of an OAuth refresh token.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(100);

    /// <summary>The instances to start, with the defaults applied.</summary>
    public IReadOnlyList<SimulatorInstanceOptions> EffectiveInstances() =>
        Instances.Count > 0
            ? [.. Instances]
            : [new SimulatorInstanceOptions("prod"), new SimulatorInstanceOptions("test"), new SimulatorInstanceOptions("dev")];
}

/// <summary>One simulated instance: its name and the settings that differ between instances.</summary>
public sealed class SimulatorInstanceOptions
{
    /// <summary>Creates the options of instance <paramref name="name"/>; names containing "prod" are production.</summary>
    public SimulatorInstanceOptions(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        IsProduction = name.Contains("prod", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The instance name.</summary>
    public string Name { get; }

    /// <summary>Production instances are never clone targets and are seeded with released work only.</summary>
    public bool IsProduction { get; set; }

    /// <summary>Whether the OAuth client-credentials grant is enabled (a system property on the instance).</summary>
    public bool ClientCredentialsEnabled { get; set; } = true;

    /// <summary>Whether the OAuth password grant is enabled.</summary>
    public bool PasswordGrantEnabled { get; set; } = true;
}
