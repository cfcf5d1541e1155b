namespace CloneFlow.Simulator.Data;

/// <summary>
/// The table extensions the simulator models, as ServiceNow's dictionary declares them: an application
/// (<c>sys_app</c>, <c>sys_store_app</c>) is a <c>sys_scope</c> row, and every application file is a
/// <c>sys_metadata</c> row. A row written to a table is also a row of each table it extends (the same
/// sys_id, <c>sys_class_name</c> the leaf table), and deleting it from any of them deletes it from all.
/// </summary>
internal static class TableHierarchy
{
    /// <summary>The base table of application files.</summary>
    public const string Metadata = "sys_metadata";

    /// <summary>The columns <c>sys_metadata</c> itself has; an extending row is seen there with these only.</summary>
    private static readonly string[] MetadataColumns =
    [
        "sys_id", "sys_class_name", "sys_name", "sys_update_name", "sys_scope", "sys_package", "sys_policy",
        "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count",
    ];

    private static readonly Dictionary<string, string> Parents = Build();

    /// <summary>The tables <paramref name="table"/> extends, nearest first.</summary>
    public static IEnumerable<string> Ancestors(string table)
    {
        for (var current = Parents.GetValueOrDefault(table); current is not null; current = Parents.GetValueOrDefault(current))
        {
            yield return current;
        }
    }

    /// <summary>True when <paramref name="table"/> is <paramref name="ancestor"/> or extends it.</summary>
    public static bool IsA(string table, string ancestor) => table == ancestor || Ancestors(table).Contains(ancestor);

    /// <summary>The row as the ancestor table shows it.</summary>
    public static IReadOnlyDictionary<string, string> AsRowOf(string ancestor, IReadOnlyDictionary<string, string> row)
    {
        if (ancestor != Metadata)
        {
            return row;
        }

        var projected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in MetadataColumns)
        {
            if (row.TryGetValue(column, out var value))
            {
                projected[column] = value;
            }
        }

        return projected;
    }

    private static Dictionary<string, string> Build()
    {
        var parents = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sys_app"] = "sys_scope",
            ["sys_store_app"] = "sys_scope",
        };

        // Application files: the tables update sets carry records of (from real exports).
        foreach (var table in new[]
        {
            "sys_db_object", "sys_dictionary", "sys_documentation", "sys_choice", "sys_script_include", "sys_script", "sys_ui_action",
            "sys_ui_policy", "sys_ui_page", "sys_ui_script", "sys_script_client", "sys_script_fix", "sys_app_application", "sys_app_module",
            "sys_ui_list", "sys_ui_section", "sys_ui_form", "sys_number", "sys_report", "sys_security_acl", "sys_transform_map",
            "sys_ws_definition", "sys_ws_operation", "sp_widget", "sp_page", "sys_properties", "sysevent_email_action", "sys_processor",
            "sys_rest_message",
        })
        {
            parents[table] = Metadata;
        }

        return parents;
    }
}
