using System.Globalization;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Cli.UpdateSets;

/// <summary>The people-facing summary of <c>cloneflow updateset inspect</c>.</summary>
internal static class InspectionText
{
    public static async Task WriteAsync(TextWriter output, string source, UpdateSetFileSummary summary)
    {
        var actions = string.Join(", ", summary.UpdatesByAction.Select(a => $"{a.Value} {a.Key}"));
        await output.WriteLineAsync($"{source}: update-set export, unloaded {summary.UnloadDate ?? "(no date)"}");
        await output.WriteLineAsync(
            $"{Count(summary.UpdateSets.Count, "update set")}, {Count(summary.Updates, "update")}"
            + (summary.Updates > 0 ? $" ({actions}), payloads {Size(summary.PayloadBytes)}" : string.Empty));
        if (summary.LargestUpdate is { } largest)
        {
            await output.WriteLineAsync($"largest payload: {Size(largest.PayloadBytes)} in {largest.Name}");
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("Update sets");
        var names = summary.UpdateSets
            .Where(s => !string.IsNullOrEmpty(s.SysId))
            .GroupBy(s => s.SysId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name ?? g.Key, StringComparer.Ordinal);
        foreach (var set in summary.UpdateSets)
        {
            await output.WriteLineAsync($"  {set.Name ?? "(unnamed)"}");
            await output.WriteLineAsync(
                $"    sys_id {set.SysId ?? "-"} · scope {set.ApplicationScope ?? "-"} · state {set.State ?? "-"} · {Count(set.UpdateCount, "update")}");
            var children = summary.UpdateSets.Count(s => s.Parent == set.SysId && !string.IsNullOrEmpty(set.SysId));
            if (!string.IsNullOrEmpty(set.Parent))
            {
                var parent = names.GetValueOrDefault(set.Parent, $"{set.Parent} (not in this file)");
                await output.WriteLineAsync($"    batch child of {parent}" + (children > 0 ? $", parent of {children}" : string.Empty));
            }
            else if (children > 0)
            {
                await output.WriteLineAsync($"    batch base of {Count(children, "child set")}");
            }
        }

        if (summary.UpdatesByType.Count > 0)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync("Updates by type");
            var width = summary.UpdatesByType.Keys.Max(k => k.Length);
            foreach (var (type, count) in summary.UpdatesByType.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal))
            {
                await output.WriteLineAsync($"  {type.PadRight(width)}  {count,7}");
            }
        }

        if (summary.OtherRecordsByTable.Count > 0)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync("Other records");
            foreach (var (table, count) in summary.OtherRecordsByTable)
            {
                await output.WriteLineAsync($"  {table}  {count}");
            }
        }

        await output.WriteLineAsync();
        if (summary.Warnings.Count == 0)
        {
            await output.WriteLineAsync("Warnings: none");
            return;
        }

        await output.WriteLineAsync($"Warnings ({summary.Warnings.Count})");
        foreach (var warning in summary.Warnings)
        {
            await output.WriteLineAsync($"  {warning}");
        }
    }

    private static string Count(long n, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{n:N0} {noun}{(n == 1 ? string.Empty : "s")}");

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MB"),
    };
}
