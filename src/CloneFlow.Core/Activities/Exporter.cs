using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Runs;
using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Core.Activities;

/// <summary>
/// Writes one export to Blob storage as it is read from ServiceNow (row by row as each page arrives, never whole; a
/// large one may read several sys_id ranges at once) and verifies it by reading it back: its SHA-256, and a record count equal to what ServiceNow reported.
/// ServiceNow's count comes with every page (X-Total-Count), not from a call of its own; the export is checked against the count at its last page.
/// </summary>
/// <remarks>
/// Only the reading holds one of the client's read places (<see cref="ServiceNowClient.TakeReadPlaceAsync"/>,
/// shared by every export from that instance in this process): an export that is being read back and verified
/// lets the next one start reading, so the instance's request slots stay busy while blobs are checked, instead
/// of every export of a group reading, then every one verifying, in step. An export small enough to go up in
/// one request also lets go of its place before that request. A set's pages are read as sys_id ranges where
/// the plan saw each page start (<see cref="PlannedSet.PageStarts"/>), so a small set's pages are on their
/// way side by side instead of each waiting for the last id of the one before.
/// </remarks>
/// <param name="artifacts">Where exports go.</param>
/// <param name="time">The clock for the unload date.</param>
/// <param name="stored">What the run already had stored under the export names when the chunk began (relative name to version).</param>
/// <param name="maxPartitions">sys_id ranges one export may read at once: fewer when several exports run side by side, since every range costs a partly filled last page.</param>
internal sealed class Exporter(RunArtifactStore artifacts, TimeProvider time, IReadOnlyDictionary<string, ArtifactVersion> stored, int maxPartitions = Exporter.MaxPartitions)
{
    /// <summary>sys_id ranges one export reads at once at most (the client's concurrency limit still caps the calls in flight).</summary>
    public const int MaxPartitions = 8;

    /// <summary>Rows per request of an export; the plan notes where each page of a set starts in pages of this size.</summary>
    private const int UpdatePageSize = PlannedSet.PageSize;

    /// <summary>
    /// Pages an export that goes up in one request reads at once at least, when its plan knows where its pages
    /// start: the next page is on its way while one is written, and the last pages of a run do not wait for each
    /// other, as keyset pages must.
    /// </summary>
    private const int PagesAtOnce = 2;

    /// <summary>
    /// About how many bytes an exported update takes (payloads of a few KB, escaped): only to tell a set that
    /// will certainly not go up in one request (read a page at a time, streamed in blocks) from one that may (<see cref="RunArtifactStore.WriteAsync(string, string, string, Func{Stream, CancellationToken, Task}, ArtifactVersion?, long?, bool, CancellationToken)"/>).
    /// </summary>
    private const long TypicalRecordBytes = 5 * 1024;

    /// <summary>A range is split off only when each range still holds this many pages: every range ends in a partly filled page.</summary>
    private const int PagesPerRange = 4;

    /// <summary>Exports a local set as the remote set it becomes on re-import, keeping batch links inside the run.</summary>
    /// <remarks>
    /// <c>headers</c> gives the set's sys_update_set row when the chunk's rows are read in one call (null if that
    /// call did not return it: then it is read here). It is awaited only when the export writes its first record,
    /// so the first page of updates is asked for while the header is still on its way.
    /// </remarks>
    public Task<ExportOutcome> LocalSetAsync(string runId, int index, PlannedSet set, IReadOnlyDictionary<string, PlannedSet> planned, ServiceNowClient target, Task<ServiceNowRecord?> headers, CancellationToken cancellationToken)
    {
        var remoteId = RestoreIds.RemoteSetFor(runId, set.SysId);
        var query = TableQuery.Where("update_set", set.SysId);
        var item = new ExportItem { Kind = ExportKind.LocalSet, Index = index, SourceId = set.SysId, Name = set.Name, Blob = $"exports/local/{index:D5}-{set.SysId}.xml", RemoteSysId = remoteId };
        return ExportAsync(runId, item, target, "sys_update_xml", query, set.Updates, set.PageStarts, Header, row => AsRemoteUpdate(row, remoteId), cancellationToken);

        async Task<UnloadRecord> Header()
        {
            var header = await headers ?? await target.GetRecordAsync("sys_update_set", set.SysId, cancellationToken: cancellationToken)
                ?? throw new InvalidOperationException($"Update set {set.Name} ({set.SysId}) is gone from the target.");
            return RemoteRecordOf(runId, set, planned, header, remoteId);
        }
    }

    /// <summary>The sys_remote_update_set record a local set becomes: batch links point at the run's copies of its parent and batch base.</summary>
    private static RemoteUpdateSetRecord RemoteRecordOf(string runId, PlannedSet set, IReadOnlyDictionary<string, PlannedSet> planned, ServiceNowRecord header, string remoteId)
    {
        var baseId = set.SysId;
        while (planned.TryGetValue(baseId, out var ancestor) && ancestor.Parent.Length > 0)
        {
            baseId = ancestor.Parent;
        }

        var parent = set.Parent.Length > 0 ? RestoreIds.RemoteSetFor(runId, set.Parent) : string.Empty;
        var batchBase = baseId != set.SysId ? RestoreIds.RemoteSetFor(runId, baseId) : string.Empty;
        return new RemoteUpdateSetRecord(UnloadRecord.DefaultElementAction,
        [
            new("application", header.Get("application") ?? "global"),
            new("description", header.Get("description") ?? string.Empty),
            new("name", set.Name),
            new("parent", parent),
            new("remote_base_update_set", batchBase),
            new("remote_parent_id", set.Parent),
            new("remote_sys_id", set.SysId),
            new("state", "loaded"),
            new("sys_class_name", RemoteUpdateSetRecord.TableName),
            new("sys_created_by", header.Get("sys_created_by") ?? string.Empty),
            new("sys_created_on", header.Get("sys_created_on") ?? string.Empty),
            new("sys_id", remoteId),
        ]);
    }

    /// <summary>Exports an uncommitted remote set with its updates, as they are.</summary>
    /// <remarks><c>headers</c> gives the set's sys_remote_update_set row as for <see cref="LocalSetAsync"/>.</remarks>
    public Task<ExportOutcome> RemoteSetAsync(string runId, int index, PlannedSet set, ServiceNowClient target, Task<ServiceNowRecord?> headers, CancellationToken cancellationToken)
    {
        var query = TableQuery.Where("remote_update_set", set.SysId);
        var item = new ExportItem { Kind = ExportKind.RemoteSet, Index = index, SourceId = set.SysId, Name = set.Name, Blob = $"exports/remote/{index:D5}-{set.SysId}.xml" };
        return ExportAsync(runId, item, target, "sys_update_xml", query, set.Updates, set.PageStarts, Header, row => new UpdateXmlRecord(UnloadRecord.DefaultElementAction, Fields(row)), cancellationToken);

        async Task<UnloadRecord> Header()
        {
            var header = await headers ?? await target.GetRecordAsync(RemoteUpdateSetRecord.TableName, set.SysId, cancellationToken: cancellationToken)
                ?? throw new InvalidOperationException($"Remote update set {set.Name} ({set.SysId}) is gone from the target.");
            return new RemoteUpdateSetRecord(UnloadRecord.DefaultElementAction, Fields(header));
        }
    }

    /// <summary>
    /// Exports a scoped app in development as one remote update set (loaded, in the app's scope) holding the
    /// plan's pick of its customer updates: the latest of each file not carried by an exported set.
    /// </summary>
    public Task<ExportOutcome> AppSetAsync(string runId, int index, PlannedApp app, ServiceNowClient target, CancellationToken cancellationToken)
    {
        var setId = RestoreIds.AppSetFor(runId, app.SysId);
        var picked = app.Updates.ToHashSet(StringComparer.Ordinal);
        var item = new ExportItem { Kind = ExportKind.ScopedApps, Index = index, SourceId = app.SysId, Name = $"{app.Name} {app.Version}".TrimEnd(), Blob = $"exports/apps/{index:D3}-{app.Scope}.xml", RemoteSysId = setId };
        var header = new RemoteUpdateSetRecord(UnloadRecord.DefaultElementAction,
        [
            new("application", app.SysId),
            new("description", $"{app.Name} {app.Version} ({app.Scope}) as it was before the clone: the latest update of each of its files, exported by CloneFlow run {runId}."),
            new("name", app.RestoreSetName(runId)),
            new("parent", string.Empty),
            new("remote_base_update_set", string.Empty),
            new("state", "loaded"),
            new("sys_class_name", RemoteUpdateSetRecord.TableName),
            new("sys_id", setId),
        ]);
        return ExportAsync(
            runId, item, target, "sys_update_xml", TableQuery.Where("application", app.SysId).AndEmpty("remote_update_set"), app.Updates.Count, [],
            () => Task.FromResult<UnloadRecord>(header), row => AsRemoteUpdate(row, setId), cancellationToken, include: row => picked.Contains(row.SysId), expected: picked.Count);
    }

    /// <summary>Exports rows of any table in the unload format.</summary>
    /// <remarks><c>sizeHint</c> is about how many rows to expect (from the plan), to choose how many ranges to read at once.</remarks>
    public Task<ExportOutcome> RowsAsync(string runId, ExportKind kind, int index, string name, string blob, ServiceNowClient target, string table, TableQuery query, long sizeHint, CancellationToken cancellationToken) =>
        ExportAsync(runId, new ExportItem { Kind = kind, Index = index, SourceId = table, Name = name, Blob = blob }, target, table, query, sizeHint, [], null, row => new UnloadRecord(table, UnloadRecord.DefaultElementAction, Fields(row)), cancellationToken);

    /// <summary>Exports a JSON list (plugins) and verifies its bytes.</summary>
    public async Task<ExportOutcome> JsonListAsync(string runId, ExportKind kind, string blob, IReadOnlyList<string> items, CancellationToken cancellationToken)
    {
        // Nothing is read from ServiceNow here: the list is the plan's.
        var written = await WriteOrReuseAsync(runId, blob, "application/json", (stream, token) => System.Text.Json.JsonSerializer.SerializeAsync(stream, items, ArtifactJson.Options, token), cancellationToken);
        var item = new ExportItem { Kind = kind, Index = 0, Name = kind.ToString(), Blob = blob, Expected = items.Count };
        if (written.Verified)
        {
            return new ExportOutcome(item with { Sha256 = written.Sha256, Bytes = written.Bytes, Found = items.Count, Verified = true }, Listed: false);
        }

        long found = 0;
        return await VerifyAsync(runId, item, written, async (stream, token) =>
        {
            found = (await System.Text.Json.JsonSerializer.DeserializeAsync<List<string>>(stream, ArtifactJson.Options, token))?.Count ?? 0;
            if (found != items.Count)
            {
                throw new ArtifactVerificationException($"read back {found} of {items.Count} items");
            }
        }, () => found, cancellationToken);
    }

    private async Task<ExportOutcome> ExportAsync(
        string runId, ExportItem item, ServiceNowClient target, string table, TableQuery query, long sizeHint, IReadOnlyList<string> pageStarts,
        Func<Task<UnloadRecord>>? header, Func<ServiceNowRecord, UnloadRecord> convert, CancellationToken cancellationToken,
        Func<ServiceNowRecord, bool>? include = null, long? expected = null)
    {
        var (blob, name) = (item.Blob, item.Name);

        // An export that goes up in one request is held whole until then anyway: it reads its pages side by
        // side and lets the next export read while its blob goes up. A larger one goes up in blocks as it is
        // read: a page at a time (its share of the chunk's ranges), holding its read place until its last
        // block is committed, so that every reader holds one page and two blocks, and no more readers hold
        // blocks than there are read places.
        var expectedBytes = sizeHint * TypicalRecordBytes;
        var whole = RunArtifactStore.GoesUpWhole(expectedBytes);

        // The plan picks the ranges: one per page where it saw each page start (a range then holds one
        // full page, unless rows came or went since), otherwise by the plan's count. The count the export
        // is checked against is the latest one ServiceNow reported for each range (with its last page).
        var split = pageStarts.Count > 0
            ? SysIdSplit.At(pageStarts, whole ? Math.Max(PagesAtOnce, maxPartitions) : maxPartitions)
            : SysIdSplit.ByFirstCharacter((int)Math.Clamp(sizeHint / (UpdatePageSize * PagesPerRange), 1, Math.Max(1, maxPartitions)));
        var count = new RecordCount();
        var unloadDate = UpdateSetXmlWriter.FormatUnloadDate(time.GetUtcNow());
        ArtifactInfo written;

        // A read of one page is one call: it takes no read place (and so never waits behind large exports).
        using (var place = sizeHint > UpdatePageSize ? await target.TakeReadPlaceAsync(cancellationToken) : null)
        {
            written = await WriteOrReuseAsync(runId, blob, "application/xml", async (stream, token) =>
            {
                await using var writer = await UpdateSetXmlWriter.CreateAsync(stream, unloadDate, token);

                // A large export may read several sys_id ranges at once (rows then follow in arrival order, not
                // sys_id order); one page's worth or less is read in one range. The first page is asked for
                // before the header is awaited: both are on their way at once.
                var rows = target.GetRecordsInRangesAsync(table, query, split, pageSize: UpdatePageSize, count: count, cancellationToken: token).GetAsyncEnumerator(token);
                await using (rows.ConfigureAwait(false))
                {
                    var first = rows.MoveNextAsync().AsTask();
                    try
                    {
                        if (header is not null)
                        {
                            await writer.WriteAsync(await header(), token);
                        }
                    }
                    catch
                    {
                        // The enumerator cannot be disposed while a page is on its way.
                        await first.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                        throw;
                    }

                    for (var more = await first; more; more = await rows.MoveNextAsync())
                    {
                        if (include is null || include(rows.Current))
                        {
                            await writer.WriteAsync(convert(rows.Current), token);
                        }
                    }
                }

                if (whole)
                {
                    // Read: the next export may start while this one goes up (a place is released once).
                    place?.Dispose();
                }

                await writer.CompleteAsync(token);
            }, cancellationToken, expectedBytes);
        }

        // A blob verified by an earlier attempt was not read now: ask ServiceNow for its count. A picked
        // export is checked against its pick (every picked record must be there), not the query's count.
        expected ??= written.Verified ? await target.CountAsync(table, query, cancellationToken) : count.Total;
        item = item with { Expected = expected.Value };
        if (written.Verified)
        {
            return new ExportOutcome(item with { Sha256 = written.Sha256, Bytes = written.Bytes, Found = expected.Value, Verified = true }, Listed: false);
        }

        UnloadRecordCount? summary = null;
        return await VerifyAsync(runId, item, written, async (stream, token) =>
        {
            summary = await UpdateSetFileScanner.CountAsync(stream, token);
            var found = header is null ? summary.OtherRecordsByTable.Values.Sum() + summary.Updates : summary.Updates;
            if (found != expected.Value || summary.Warnings.Count > 0)
            {
                // Leave the blob unverified: the count ServiceNow reported is not what was written.
                throw new ArtifactVerificationException($"{name}: ServiceNow reported {expected} records, the export holds {found}{(summary.Warnings.Count > 0 ? $" ({summary.Warnings[0].Message})" : string.Empty)}");
            }
        }, () => summary?.Updates ?? 0, cancellationToken);
    }

    /// <summary>
    /// Reads the export back (<paramref name="inspect"/> throws when what it holds is not what ServiceNow
    /// reported) and marks it verified together with its manifest item; an export that fails is an
    /// unverified item with the reason, for the caller to store.
    /// </summary>
    private async Task<ExportOutcome> VerifyAsync(string runId, ExportItem item, ArtifactInfo written, Func<Stream, CancellationToken, Task> inspect, Func<long> found, CancellationToken cancellationToken)
    {
        try
        {
            var verified = await artifacts.VerifyAndListAsync(runId, item.Blob, written.Sha256, inspect, info => item with { Sha256 = info.Sha256, Bytes = info.Bytes, Found = item.Expected, Verified = true }, cancellationToken);
            return new ExportOutcome(verified.Document!, verified.Listed);
        }
        catch (Exception ex) when (ex is ArtifactVerificationException or UpdateSetFormatException)
        {
            return new ExportOutcome(item with { Sha256 = written.Sha256, Bytes = written.Bytes, Found = found(), Verified = false, Error = ex.Message }, Listed: false);
        }
    }

    private async Task<ArtifactInfo> WriteOrReuseAsync(string runId, string blob, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken, long expectedBytes = 0)
    {
        try
        {
            // Written over what the chunk saw there when it began (nothing, for a first attempt), compressed.
            return await artifacts.WriteAsync(runId, blob, contentType, write, stored.GetValueOrDefault(blob), expectedBytes, compressed: true, cancellationToken);
        }
        catch (ArtifactAlreadyVerifiedException)
        {
            // A verified export from an earlier attempt of this activity is the export: never rewrite it.
            return await artifacts.GetInfoAsync(runId, blob, cancellationToken) ?? throw new InvalidOperationException($"The verified export {blob} disappeared.");
        }
    }

    private static UpdateXmlRecord AsRemoteUpdate(ServiceNowRecord row, string remoteSetId)
    {
        // One pass per row (this runs for every exported update): the local set link is cleared and
        // the remote set link points at the set this export becomes.
        var fields = new List<UnloadField>(row.Values.Count + 1);
        var linked = false;
        foreach (var (name, value) in row.Values)
        {
            switch (name)
            {
                case "update_set":
                    fields.Add(new UnloadField(name, string.Empty));
                    break;
                case "remote_update_set":
                    fields.Add(new UnloadField(name, remoteSetId));
                    linked = true;
                    break;
                default:
                    fields.Add(new UnloadField(name, value ?? string.Empty));
                    break;
            }
        }

        if (!linked)
        {
            fields.Add(new UnloadField("remote_update_set", remoteSetId));
        }

        return new UpdateXmlRecord(UnloadRecord.DefaultElementAction, fields);
    }

    private static List<UnloadField> Fields(ServiceNowRecord row) =>
        row.Values.Select(v => new UnloadField(v.Key, v.Value ?? string.Empty)).ToList();
}

/// <summary>An export's manifest item, and whether it is stored with the export itself (listed with its verified mark) or needs an entry of its own.</summary>
/// <param name="Item">The item.</param>
/// <param name="Listed">True when the export carries it.</param>
internal sealed record ExportOutcome(ExportItem Item, bool Listed);
