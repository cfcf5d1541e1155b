using System.Globalization;
using System.Text;

namespace CloneFlow.IntegrationTests.Drills;

/// <summary>What a fault window does.</summary>
internal enum FaultKind
{
    /// <summary>A 429 storm: a share of calls throttled with Retry-After.</summary>
    Throttle,

    /// <summary>A burst of 500s.</summary>
    ServerErrors,

    /// <summary>Connections aborted without an answer.</summary>
    DroppedConnections,

    /// <summary>Every call answered 503 with Retry-After for the whole window.</summary>
    Outage,

    /// <summary>Azurite stopped and started again on the same ports and data (once per drill, during the export).</summary>
    StorageRestart,
}

/// <summary>
/// One fault window: opens <see cref="Delay"/> after the run is first seen in <see cref="Phase"/> (or
/// any later phase) and lasts <see cref="Duration"/> of real time.
/// </summary>
internal sealed record FaultWindow(FaultKind Kind, string Instance, string Phase, TimeSpan Delay, TimeSpan Duration, double Rate, int RetryAfterSeconds)
{
    public override string ToString()
    {
        var what = Kind switch
        {
            FaultKind.Throttle => $"429 x{Rate:0.00} Retry-After {RetryAfterSeconds}s on {Instance}",
            FaultKind.ServerErrors => $"500 x{Rate:0.00} on {Instance}",
            FaultKind.DroppedConnections => $"drops x{Rate:0.00} on {Instance}",
            FaultKind.Outage => $"503 outage Retry-After {RetryAfterSeconds}s on {Instance}",
            FaultKind.StorageRestart => "Azurite restart (down for the window)",
            _ => Kind.ToString(),
        };
        return string.Create(CultureInfo.InvariantCulture, $"{Phase}+{Delay.TotalSeconds:0.0}s for {Duration.TotalSeconds:0.0}s: {what}");
    }
}

/// <summary>
/// A seeded schedule of fault windows over one clone run. The same seed always gives the same
/// schedule (replay a failing drill with its seed); the interleaving with the run is real time, so a
/// replay hits the same phases, not necessarily the same calls.
/// </summary>
internal sealed record FaultSchedule(int Seed, IReadOnlyList<FaultWindow> Windows)
{
    /// <summary>Phases in run order (the custom status' phase names), for anchoring windows.</summary>
    public static readonly string[] PhaseOrder =
    [
        "preflight", "plan", "export", "clone", "monitor", "restart", "plugins", "restore-apps", "restore-remote",
        "restore-local", "states", "restore-tables", "checks", "verify", "finished",
    ];

    private static readonly FaultKind[] Kinds = Enum.GetValues<FaultKind>();

    // Where windows open: the target is read during the export and written after the clone; the source (prod) is the clone's.
    private static readonly string[] TargetPhases = ["preflight", "plan", "export", "export", "restart", "plugins", "restore-remote", "restore-local", "restore-local", "states", "verify"];
    private static readonly string[] SourcePhases = ["preflight", "clone", "monitor", "monitor"];

    public static FaultSchedule Generate(int seed)
    {
        var random = new Random(seed);
        var count = random.Next(2, 5);
        var windows = new List<FaultWindow>(count);
        var storageRestart = false;
        for (var i = 0; i < count; i++)
        {
            // The first window's kind cycles with the seed, so any run of consecutive seeds covers every kind.
            var kind = i == 0 ? Kinds[Math.Abs(seed) % Kinds.Length] : Kinds[random.Next(Kinds.Length)];
            if (kind == FaultKind.StorageRestart)
            {
                if (storageRestart)
                {
                    kind = FaultKind.ServerErrors;
                }
                else
                {
                    storageRestart = true;
                    windows.Add(new FaultWindow(kind, "azurite", "export", Seconds(random, 0, 1.5), Seconds(random, 0.5, 4), 0, 0));
                    continue;
                }
            }

            var onSource = random.NextDouble() < 0.3;
            var instance = onSource ? "prod" : "test";
            var phase = onSource ? SourcePhases[random.Next(SourcePhases.Length)] : TargetPhases[random.Next(TargetPhases.Length)];
            var window = kind switch
            {
                FaultKind.Throttle => new FaultWindow(kind, instance, phase, Seconds(random, 0, 2), Seconds(random, 2, 8), Rate(random, 0.2, 0.7), random.Next(1, 4)),
                FaultKind.ServerErrors => new FaultWindow(kind, instance, phase, Seconds(random, 0, 2), Seconds(random, 1, 6), Rate(random, 0.1, 0.5), 0),
                FaultKind.DroppedConnections => new FaultWindow(kind, instance, phase, Seconds(random, 0, 2), Seconds(random, 1, 6), Rate(random, 0.05, 0.3), 0),
                _ => new FaultWindow(FaultKind.Outage, instance, phase, Seconds(random, 0, 2), Seconds(random, 4, 20), 1, random.Next(1, 4)),
            };
            windows.Add(window);
        }

        return new FaultSchedule(seed, windows);
    }

    public override string ToString()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"seed {Seed}:");
        foreach (var window in Windows)
        {
            text.Append("\n  - ").Append(window);
        }

        return text.ToString();
    }

    private static TimeSpan Seconds(Random random, double min, double max) => TimeSpan.FromSeconds(Math.Round(min + (random.NextDouble() * (max - min)), 1));

    private static double Rate(Random random, double min, double max) => Math.Round(min + (random.NextDouble() * (max - min)), 2);
}
