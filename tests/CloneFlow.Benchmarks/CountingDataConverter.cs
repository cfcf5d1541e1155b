using System.Collections.Concurrent;
using CloneFlow.Core.Runs;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;

namespace CloneFlow.Benchmarks;

/// <summary>
/// (Copied from the integration tests' HistorySizeTests.) The worker's JSON converter, measuring what goes into orchestration history. Activity results are
/// serialized once, when the activity runs, and are counted every time. Orchestration and activity
/// inputs are serialized again on every replay, so each distinct input is counted once (identical
/// repeated inputs, such as the same progress poll, are therefore slightly undercounted). Custom
/// status is not history and is not counted.
/// </summary>
internal sealed class CountingDataConverter : DataConverter
{
    private readonly JsonDataConverter _inner = JsonDataConverter.Default;
    private readonly ConcurrentDictionary<string, byte> _inputs = new(StringComparer.Ordinal);
    private long _outputs;
    private long _largest;

    public ConcurrentDictionary<string, long> ByType { get; } = new(StringComparer.Ordinal);

    public long Bytes => Interlocked.Read(ref _outputs) + _inputs.Keys.Sum(k => (long)k.Length);

    public long Largest => Interlocked.Read(ref _largest);

    public override string? Serialize(object? value)
    {
        var json = _inner.Serialize(value);
        if (json is null || value is RunStatus)
        {
            return json;
        }

        ByType.AddOrUpdate(value?.GetType().Name ?? "null", json.Length, (_, n) => n + json.Length);
        if (IsInput(value))
        {
            _inputs.TryAdd($"{value!.GetType().Name}:{json}", 0);
        }
        else
        {
            Interlocked.Add(ref _outputs, json.Length);
        }

        long current;
        while (json.Length > (current = Interlocked.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, json.Length, current) != current)
        {
        }

        return json;
    }

    public override object? Deserialize(string? data, Type targetType) => _inner.Deserialize(data, targetType);

    /// <summary>The orchestrator hands activity inputs over wrapped in an array; that is what replays serialize again.</summary>
    private static bool IsInput(object? value) => value is object[]
        || value?.GetType().Name is "CloneRunInput" or "RunRef" or "ExportChunk" or "CiCdStart" or "CiCdPoll" or "CloneRef" or "ProblemsQuery"
            or "ProblemResolution" or "NotifyRequest" or "ApprovalPrompt" or "ReportInput";
}
