using System.Text.RegularExpressions;

namespace CloneFlow.Core.ServiceNow.Tables;

/// <summary>Checks the table names and sys_ids that go into request paths, so nothing can walk elsewhere.</summary>
internal static partial class TableNames
{
    public static string Check(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return TableName().IsMatch(table)
            ? table
            : throw new ArgumentException($"'{table}' is not a ServiceNow table name.", nameof(table));
    }

    public static string CheckSysId(string sysId)
    {
        ArgumentNullException.ThrowIfNull(sysId);
        return SysId().IsMatch(sysId)
            ? sysId
            : throw new ArgumentException($"'{sysId}' is not a sys_id.", nameof(sysId));
    }

    [GeneratedRegex("^[a-z0-9_]{1,80}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SysId();
}
