using System.Globalization;

namespace CloneFlow.Benchmarks;

/// <summary>Options of the default suite (<c>all</c>).</summary>
internal sealed record SuiteOptions
{
    public bool Quick { get; init; }

    public int LatencyMs { get; init; } = 100;

    public int Concurrency { get; init; } = 8;

    /// <summary>Payload characters per seeded update; about 5 KB per exported update with the other fields and escaping.</summary>
    public int PayloadBytes { get; init; } = 3300;

    /// <summary>Latency of the history-size runs (history does not depend on latency; low keeps them short).</summary>
    public int HistoryLatencyMs { get; init; } = 10;

    public string? JsonPath { get; init; }

    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Update sets in every export size (the estate's extra sets included).</summary>
    public int ExportSets { get; init; } = 50;

    public IReadOnlyList<int> ExportSizes => Quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];

    public bool Runs(string part) => Only.Count == 0 || Only.Contains(part, StringComparer.OrdinalIgnoreCase);

    public static SuiteOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        var options = new SuiteOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            try
            {
                options = args[i] switch
                {
                    "all" when i == 0 => options,
                    "--quick" => options with { Quick = true },
                    "--latency-ms" => options with { LatencyMs = NextInt() },
                    "--concurrency" => options with { Concurrency = NextInt() },
                    "--payload-bytes" => options with { PayloadBytes = NextInt() },
                    "--history-latency-ms" => options with { HistoryLatencyMs = NextInt() },
                    "--json" => options with { JsonPath = Next() },
                    "--only" => options with { Only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
            {
                error.WriteLine(ex.Message);
                return null;
            }
        }

        return options;
    }
}
