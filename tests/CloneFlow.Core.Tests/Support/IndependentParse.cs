using System.Xml;
using System.Xml.Linq;

namespace CloneFlow.Core.Tests.Support;

/// <summary>
/// A second, whole-document parse (LINQ to XML) to check the streaming reader against: a different code
/// path that shares nothing with CloneFlow's reader but the .NET XML tokenizer.
/// </summary>
public static class IndependentParse
{
    public static XDocument Load(Stream stream)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(stream, settings);
        return XDocument.Load(reader, LoadOptions.None);
    }

    public static XDocument Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>Each record as (table, fields as (name, value, attributes)).</summary>
    public static List<(string Table, List<(string Name, string Value, List<KeyValuePair<string, string>> Attributes)> Fields)> Records(XDocument document) =>
        document.Root!.Elements()
            .Select(record => (
                record.Name.LocalName,
                record.Elements()
                    .Select(field => (field.Name.LocalName, field.Value, field.Attributes().Select(a => new KeyValuePair<string, string>(a.Name.LocalName, a.Value)).ToList()))
                    .ToList()))
            .ToList();
}
