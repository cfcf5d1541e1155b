namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// One record of an unload file (a child of <c>&lt;unload&gt;</c>): the table is the element name, the
/// fields are its children in file order. Update-set exports hold <see cref="RemoteUpdateSetRecord"/>s
/// and <see cref="UpdateXmlRecord"/>s; other tables (extra data exports) come back as this base type.
/// </summary>
public class UnloadRecord
{
    /// <summary>The attribute every unload record element carries.</summary>
    public const string DefaultElementAction = "INSERT_OR_UPDATE";

    /// <summary>Creates a record of <paramref name="table"/> with its fields in file order.</summary>
    public UnloadRecord(string table, string elementAction, IReadOnlyList<UnloadField> fields)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(elementAction);
        ArgumentNullException.ThrowIfNull(fields);
        Table = table;
        ElementAction = elementAction;
        Fields = fields;
    }

    /// <summary>The ServiceNow table, e.g. <c>sys_update_xml</c>.</summary>
    public string Table { get; }

    /// <summary>The record element's <c>action</c> attribute (always <c>INSERT_OR_UPDATE</c> in exports).</summary>
    public string ElementAction { get; }

    /// <summary>The fields in file order.</summary>
    public IReadOnlyList<UnloadField> Fields { get; }

    /// <summary>The record's sys_id, or null when the file lacks it.</summary>
    public string? SysId => Get("sys_id");

    /// <summary>The named field, or null when the element is missing.</summary>
    public UnloadField? Field(string name)
    {
        foreach (var field in Fields)
        {
            if (field.Name == name)
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The named field's value: null when the element is missing, empty when it is empty.</summary>
    public string? Get(string name) => Field(name)?.Value;

    /// <summary>Wraps a record read from a file in the type that matches its table.</summary>
    public static UnloadRecord Create(string table, string elementAction, IReadOnlyList<UnloadField> fields) => table switch
    {
        RemoteUpdateSetRecord.TableName => new RemoteUpdateSetRecord(elementAction, fields),
        UpdateXmlRecord.TableName => new UpdateXmlRecord(elementAction, fields),
        _ => new UnloadRecord(table, elementAction, fields),
    };
}
