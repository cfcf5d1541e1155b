using System.Text;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Core.Tests.Support;

/// <summary>Hand-written unload files for the traps real exports contain, byte for byte as given.</summary>
public static class UnloadXml
{
    public const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    public static string File(params string[] records) =>
        $"{Declaration}<unload unload_date=\"2024-05-01 10:00:00\">\n{string.Concat(records)}</unload>\n";

    public static string RemoteSet(string sysId, string name, string? parent = null, string extra = "") =>
        "<sys_remote_update_set action=\"INSERT_OR_UPDATE\">\n"
        + "<application display_value=\"Global\">global</application>\n"
        + "<application_scope>global</application_scope>\n"
        + $"<name>{name}</name>\n"
        + (parent is null ? "<parent display_value=\"\"/>\n" : $"<parent display_value=\"Base\">{parent}</parent>\n")
        + (parent is null ? "<remote_base_update_set display_value=\"\"/>\n" : $"<remote_base_update_set display_value=\"Base\">{parent}</remote_base_update_set>\n")
        + $"<remote_sys_id>r{sysId}</remote_sys_id>\n"
        + "<state>loaded</state>\n"
        + $"<sys_id>{sysId}</sys_id>\n"
        + extra
        + "</sys_remote_update_set>\n";

    public static string Update(string sysId, string setId, string payloadElement, string action = "INSERT_OR_UPDATE", string extra = "") =>
        "<sys_update_xml action=\"INSERT_OR_UPDATE\">\n"
        + $"<action>{action}</action>\n"
        + $"<name>sys_script_include_{sysId}</name>\n"
        + payloadElement + "\n"
        + $"<remote_update_set display_value=\"Set\">{setId}</remote_update_set>\n"
        + $"<sys_id>{sysId}</sys_id>\n"
        + "<table/>\n"
        + "<type>Script Include</type>\n"
        + extra
        + "</sys_update_xml>\n";

    public static MemoryStream Stream(string xml) => new(Encoding.UTF8.GetBytes(xml));

    public static async Task<List<UnloadRecord>> ReadAllAsync(Stream stream)
    {
        var records = new List<UnloadRecord>();
        await foreach (var record in new UpdateSetXmlReader(stream).ReadAsync())
        {
            records.Add(record);
        }

        return records;
    }

    public static Task<List<UnloadRecord>> ReadAllAsync(string xml) => ReadAllAsync(Stream(xml));
}
