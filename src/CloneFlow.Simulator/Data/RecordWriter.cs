using System.Globalization;

namespace CloneFlow.Simulator.Data;

/// <summary>
/// Table API writes with ServiceNow's rules: unknown fields ignored, system fields maintained, a given
/// sys_id honoured, and the business rules of the tables that have them (clone requests).
/// </summary>
internal static class RecordWriter
{
    private static readonly HashSet<string> SystemManaged = new(StringComparer.Ordinal)
    {
        "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "sys_class_name",
    };

    public static OperationResult Insert(SimulatedInstance instance, string table, IReadOnlyDictionary<string, string> body, string user)
    {
        var schema = instance.Schemas.Get(table);
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in body)
        {
            if (schema.Has(field) && !SystemManaged.Contains(field))
            {
                row[field] = value;
            }
        }

        var sysId = row.GetValueOrDefault("sys_id");
        if (string.IsNullOrEmpty(sysId))
        {
            sysId = instance.NewSysId();
        }

        row["sys_id"] = sysId;
        if (instance.Data(table).Contains(sysId))
        {
            return OperationResult.Fail(409, "Operation Failed",
                $"Error during insert of {table} ({sysId}): a record with sys_id {sysId} already exists (unique key violation). Update it with PATCH instead.");
        }

        var now = SnTime.Text(instance.Clock.UtcNow);
        row["sys_created_on"] = now;
        row["sys_created_by"] = user;
        row["sys_updated_on"] = now;
        row["sys_updated_by"] = user;
        row["sys_mod_count"] = "0";
        row["sys_class_name"] = table;

        if (table == Clones.CloneEngine.RequestTable && instance.Clones.BeforeInsert(row, user) is { } refusal)
        {
            return OperationResult.Fail(403, "Operation Failed", refusal);
        }

        instance.Store(table, row);
        return OperationResult.Ok(row);
    }

    public static OperationResult Update(SimulatedInstance instance, string table, string sysId, IReadOnlyDictionary<string, string> body, string user)
    {
        var existing = instance.Data(table).Get(sysId);
        if (existing is null)
        {
            return OperationResult.Fail(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
        }

        var schema = instance.Schemas.Get(table);
        var row = new Dictionary<string, string>(existing, StringComparer.Ordinal);
        foreach (var (field, value) in body)
        {
            if (schema.Has(field) && field != "sys_id" && !SystemManaged.Contains(field))
            {
                row[field] = value;
            }
        }

        row["sys_updated_on"] = SnTime.Text(instance.Clock.UtcNow);
        row["sys_updated_by"] = user;
        row["sys_mod_count"] = (int.TryParse(existing.GetValueOrDefault("sys_mod_count"), out var count) ? count + 1 : 1)
            .ToString(CultureInfo.InvariantCulture);

        if (table == Clones.CloneEngine.RequestTable && instance.Clones.BeforeUpdate(existing, row) is { } refusal)
        {
            return OperationResult.Fail(403, "Operation Failed", refusal);
        }

        instance.Store(table, row);
        return OperationResult.Ok(row);
    }

    public static bool Delete(SimulatedInstance instance, string table, string sysId) => instance.Erase(table, sysId);
}
