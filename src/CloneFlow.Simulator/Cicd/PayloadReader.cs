using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace CloneFlow.Simulator.Cicd;

/// <summary>The record an update's payload (<c>&lt;record_update table="..."&gt;</c>) carries.</summary>
internal sealed record PayloadRecord(string Table, string Action, IReadOnlyDictionary<string, string> Fields);

/// <summary>Reads <c>sys_update_xml.payload</c> documents safely (no DTDs, no external entities).</summary>
internal static partial class PayloadReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
    };

    /// <summary>The table the payload targets, read from the root's <c>table</c> attribute or the first record element.</summary>
    public static string? TableOf(string? payload)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return null;
        }

        var head = payload.Length > 600 ? payload[..600] : payload;
        var match = TableAttribute().Match(head);
        return match.Success ? match.Groups[1].Value : Read(payload)?.Table;
    }

    public static PayloadRecord? Read(string? payload)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return null;
        }

        try
        {
            using var reader = XmlReader.Create(new StringReader(payload), Settings);
            var root = XDocument.Load(reader).Root;
            var record = root?.Elements().FirstOrDefault();
            if (root is null || record is null)
            {
                return null;
            }

            var table = root.Attribute("table")?.Value ?? record.Name.LocalName;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var element in record.Elements())
            {
                fields[element.Name.LocalName] = element.HasElements ? string.Concat(element.Nodes()) : element.Value;
            }

            return new PayloadRecord(table, record.Attribute("action")?.Value ?? "INSERT_OR_UPDATE", fields);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    [GeneratedRegex("<record_update[^>]*\\btable=\"([^\"]+)\"")]
    private static partial Regex TableAttribute();
}
