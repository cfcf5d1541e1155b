using System.Collections.Frozen;
using CloneFlow.Core.Text;

namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// Reads an unload file once and digests it: each update's payload hash (handed to a callback as it
/// is read, so nothing accumulates) and the totals per set, action and type.
/// </summary>
public static class UpdateSetFileScanner
{
    /// <summary>Scans <paramref name="stream"/>; <paramref name="onUpdate"/> sees every update in file order.</summary>
    /// <exception cref="UpdateSetFormatException">The file is not a readable unload file.</exception>
    public static async Task<UpdateSetFileSummary> ScanAsync(
        Stream stream,
        Func<UpdateDigest, CancellationToken, ValueTask>? onUpdate = null,
        CancellationToken cancellationToken = default)
    {
        var reader = new UpdateSetXmlReader(stream);
        var sets = new List<RemoteUpdateSetRecord>();
        var perSet = new Dictionary<string, long>(StringComparer.Ordinal);
        var byAction = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var byType = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var others = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long updates = 0;
        long payloadBytes = 0;
        UpdateDigest? largest = null;

        await foreach (var record in reader.ReadAsync(cancellationToken))
        {
            switch (record)
            {
                case RemoteUpdateSetRecord set:
                    sets.Add(set);
                    break;
                case UpdateXmlRecord update:
                    var digest = Digest(update);
                    updates++;
                    payloadBytes += digest.PayloadBytes;
                    Increment(perSet, digest.UpdateSet ?? string.Empty);
                    Increment(byAction, digest.Action ?? "(none)");
                    Increment(byType, string.IsNullOrEmpty(digest.Type) ? "(none)" : digest.Type);
                    if (largest is null || digest.PayloadBytes > largest.PayloadBytes)
                    {
                        largest = digest;
                    }

                    if (onUpdate is not null)
                    {
                        await onUpdate(digest, cancellationToken);
                    }

                    break;
                default:
                    Increment(others, record.Table);
                    break;
            }
        }

        var setDigests = sets
            .Select(s => new UpdateSetDigest(
                s.SysId,
                s.Name,
                s.RemoteSysId,
                s.ApplicationScope,
                s.State,
                s.Parent,
                s.BaseUpdateSet,
                perSet.GetValueOrDefault(s.SysId ?? string.Empty)))
            .ToList();
        return new UpdateSetFileSummary(reader.UnloadDate, setDigests, updates, byAction, byType, payloadBytes, largest, others, reader.Warnings);
    }

    /// <summary>
    /// Reads an unload file once and only counts its records (updates, and the others by table), with the
    /// reader's warnings: what an export's read-back checks against ServiceNow's count, without hashing
    /// every payload as <see cref="ScanAsync"/> does.
    /// </summary>
    /// <exception cref="UpdateSetFormatException">The file is not a readable unload file.</exception>
    public static async Task<UnloadRecordCount> CountAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        // Only what the count and the reader's warnings need: which set each update belongs to.
        var reader = new UpdateSetXmlReader(stream, CountedFields);
        var others = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long updates = 0;
        await foreach (var record in reader.ReadAsync(cancellationToken))
        {
            if (record is UpdateXmlRecord)
            {
                updates++;
            }
            else if (record is not RemoteUpdateSetRecord)
            {
                Increment(others, record.Table);
            }
        }

        return new UnloadRecordCount(updates, others, reader.Warnings);
    }

    private static readonly FrozenSet<string> CountedFields = FrozenSet.Create(StringComparer.Ordinal, "sys_id", "name", "remote_update_set");

    /// <summary>Digests one update: its identity and the SHA-256 of its payload text.</summary>
    public static UpdateDigest Digest(UpdateXmlRecord update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var payload = update.Payload is null ? null : TextSha256.Compute(update.Payload);
        return new UpdateDigest(
            update.SysId,
            update.Name,
            update.Action,
            update.TargetTable,
            update.Type,
            update.RemoteUpdateSet,
            payload?.Sha256,
            payload?.Utf8Bytes ?? 0);
    }

    private static void Increment(IDictionary<string, long> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var count) ? count + 1 : 1;
}
