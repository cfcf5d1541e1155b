namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>What one update of an unload file is, without its payload: enough to verify an export or compare it after a restore.</summary>
/// <param name="SysId">The sys_update_xml sys_id.</param>
/// <param name="Name">The update's key, e.g. <c>sys_script_include_&lt;sys_id&gt;</c>.</param>
/// <param name="Action">The real operation from the <c>&lt;action&gt;</c> child.</param>
/// <param name="Table">The <c>table</c> field.</param>
/// <param name="Type">The change type label.</param>
/// <param name="UpdateSet">The <c>remote_update_set</c> sys_id.</param>
/// <param name="PayloadSha256">Lowercase hex SHA-256 of the payload's UTF-8 bytes; null when the update has no payload element.</param>
/// <param name="PayloadBytes">Length of the payload in UTF-8 bytes.</param>
public sealed record UpdateDigest(
    string? SysId,
    string? Name,
    string? Action,
    string? Table,
    string? Type,
    string? UpdateSet,
    string? PayloadSha256,
    long PayloadBytes);

/// <summary>One <c>sys_remote_update_set</c> of a file and how many of the file's updates point at it.</summary>
public sealed record UpdateSetDigest(
    string? SysId,
    string? Name,
    string? RemoteSysId,
    string? ApplicationScope,
    string? State,
    string? Parent,
    string? BaseUpdateSet,
    long UpdateCount);

/// <summary>Totals of a whole unload file, gathered in one streaming pass.</summary>
public sealed record UpdateSetFileSummary(
    string? UnloadDate,
    IReadOnlyList<UpdateSetDigest> UpdateSets,
    long Updates,
    IReadOnlyDictionary<string, long> UpdatesByAction,
    IReadOnlyDictionary<string, long> UpdatesByType,
    long PayloadBytes,
    UpdateDigest? LargestUpdate,
    IReadOnlyDictionary<string, long> OtherRecordsByTable,
    IReadOnlyList<UpdateSetXmlWarning> Warnings);

/// <summary>The records of an unload file, counted: updates, set headers aside, and the other tables' records.</summary>
/// <param name="Updates"><c>sys_update_xml</c> records.</param>
/// <param name="OtherRecordsByTable">Records of any other table but <c>sys_remote_update_set</c>, by table.</param>
/// <param name="Warnings">What the reader found odd (updates pointing at a set the file lacks).</param>
public sealed record UnloadRecordCount(long Updates, IReadOnlyDictionary<string, long> OtherRecordsByTable, IReadOnlyList<UpdateSetXmlWarning> Warnings);
