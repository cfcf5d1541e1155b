namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// A <c>sys_remote_update_set</c> record: the header of an exported update set. Batch exports hold
/// several, linked by <see cref="Parent"/> and <see cref="BaseUpdateSet"/>.
/// </summary>
public sealed class RemoteUpdateSetRecord : UnloadRecord
{
    /// <summary>The table name and element name in the unload file.</summary>
    public const string TableName = "sys_remote_update_set";

    /// <summary>Creates the record from its fields in file order.</summary>
    public RemoteUpdateSetRecord(string elementAction, IReadOnlyList<UnloadField> fields)
        : base(TableName, elementAction, fields)
    {
    }

    /// <summary>The update set's name.</summary>
    public string? Name => Get("name");

    /// <summary>The sys_id of the local update set on the exporting instance.</summary>
    public string? RemoteSysId => Get("remote_sys_id");

    /// <summary>The application scope, e.g. <c>global</c> or <c>x_1778869_wrr</c>.</summary>
    public string? ApplicationScope => Get("application_scope");

    /// <summary>The remote state, <c>loaded</c> in exports.</summary>
    public string? State => Get("state");

    /// <summary>The sys_id of the parent remote set inside a batch; empty or null at the top.</summary>
    public string? Parent => Get("parent");

    /// <summary>The sys_id of the batch base (<c>remote_base_update_set</c>); missing in files from before batches.</summary>
    public string? BaseUpdateSet => Get("remote_base_update_set");
}
