namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// A <c>sys_update_xml</c> record: one tracked change with its payload (a whole
/// <c>&lt;record_update&gt;</c> document as text).
/// </summary>
public sealed class UpdateXmlRecord : UnloadRecord
{
    /// <summary>The table name and element name in the unload file.</summary>
    public const string TableName = "sys_update_xml";

    /// <summary>Creates the record from its fields in file order.</summary>
    public UpdateXmlRecord(string elementAction, IReadOnlyList<UnloadField> fields)
        : base(TableName, elementAction, fields)
    {
    }

    /// <summary>The update's key, e.g. <c>sys_script_include_&lt;sys_id&gt;</c>.</summary>
    public string? Name => Get("name");

    /// <summary>The real operation from the <c>&lt;action&gt;</c> child (<c>INSERT_OR_UPDATE</c> or <c>DELETE</c>), not the element attribute.</summary>
    public string? Action => Get("action");

    /// <summary>The table the change applies to.</summary>
    public string? TargetTable => Get("table");

    /// <summary>The human label of the change type, e.g. "Script Include".</summary>
    public string? Type => Get("type");

    /// <summary>The sys_id of the <c>sys_remote_update_set</c> this update belongs to.</summary>
    public string? RemoteUpdateSet => Get("remote_update_set");

    /// <summary>The payload text exactly as the XML decodes it.</summary>
    public string? Payload => Get("payload");
}
