using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;

namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// Streams the records of an update-set unload file (<c>&lt;unload&gt;</c> with
/// <c>sys_remote_update_set</c>, <c>sys_update_xml</c> and any other table's records) one at a time,
/// so files of hundreds of MB are read in constant memory. DTDs are refused and nothing external is
/// ever resolved.
/// </summary>
public sealed class UpdateSetXmlReader
{
    /// <summary>The root element of every unload file.</summary>
    public const string RootElement = "unload";

    private readonly Stream _stream;
    private readonly IReadOnlySet<string>? _fields;
    private readonly List<UpdateSetXmlWarning> _warnings = [];
    private readonly HashSet<string> _updateSetsInFile = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UpdateReference> _updateSetsReferenced = new(StringComparer.Ordinal);
    private bool _started;

    /// <summary>Reads from <paramref name="stream"/>, which stays open.</summary>
    public UpdateSetXmlReader(Stream stream)
        : this(stream, null)
    {
    }

    /// <summary>
    /// Reads from <paramref name="stream"/>, which stays open, keeping only the <paramref name="fields"/> of
    /// each record (all when null): the others are still parsed, so the file must be just as well-formed,
    /// but their text is never turned into strings. Counting a large export this way (see
    /// <see cref="UpdateSetFileScanner.CountAsync"/>) skips the payloads that are most of its bytes.
    /// </summary>
    public UpdateSetXmlReader(Stream stream, IReadOnlySet<string>? fields)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _fields = fields;
    }

    /// <summary>The root's <c>unload_date</c> attribute, known once reading has started.</summary>
    public string? UnloadDate { get; private set; }

    /// <summary>Oddities found while reading; complete once <see cref="ReadAsync"/> has been enumerated to the end.</summary>
    public IReadOnlyList<UpdateSetXmlWarning> Warnings => _warnings;

    /// <summary>Settings that make the parser safe for files from anywhere.</summary>
    internal static XmlReaderSettings SafeSettings() => new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        CloseInput = false,
        MaxCharactersInDocument = 0,
        MaxCharactersFromEntities = 1024,
    };

    /// <summary>Yields every record in file order. Can be enumerated once.</summary>
    /// <exception cref="UpdateSetFormatException">The file is not an unload file, is truncated, or carries a DTD.</exception>
    public async IAsyncEnumerable<UnloadRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("An UpdateSetXmlReader reads its stream once; create a new reader to read again.");
        }

        _started = true;
        using var xml = XmlReader.Create(_stream, SafeSettings());
        var lines = (IXmlLineInfo)xml;

        await Guard(lines, () => MoveToRootAsync(xml, lines));
        if (xml.IsEmptyElement)
        {
            await Guard(lines, () => ReadToEndAsync(xml, lines));
            yield break;
        }

        await Guard(lines, () => xml.ReadAsync());
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = await Guard(lines, () => ReadNextRecordAsync(xml, lines));
            if (record is null)
            {
                break;
            }

            yield return record;
        }

        await Guard(lines, () => ReadToEndAsync(xml, lines));
        ReportUpdatesOutsideFile();
    }

    private async Task<bool> MoveToRootAsync(XmlReader xml, IXmlLineInfo lines)
    {
        var node = await xml.MoveToContentAsync();
        if (node != XmlNodeType.Element)
        {
            throw new UpdateSetFormatException("not an XML unload file: no root element", lines.LineNumber, lines.LinePosition);
        }

        if (xml.LocalName != RootElement || xml.NamespaceURI.Length != 0)
        {
            throw new UpdateSetFormatException(
                $"not an update-set export: the root element is <{xml.Name}>, expected <{RootElement}>",
                lines.LineNumber,
                lines.LinePosition);
        }

        UnloadDate = xml.GetAttribute("unload_date");
        return true;
    }

    /// <summary>Reads the next record, or null at <c>&lt;/unload&gt;</c>. Leaves the reader on the node after it.</summary>
    private async Task<UnloadRecord?> ReadNextRecordAsync(XmlReader xml, IXmlLineInfo lines)
    {
        while (true)
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Element:
                    return await ReadRecordAsync(xml, lines);
                case XmlNodeType.EndElement:
                    await xml.ReadAsync();
                    return null;
                case XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    await xml.ReadAsync();
                    break;
                default:
                    throw new UpdateSetFormatException(
                        $"unexpected {Describe(xml)} inside <{RootElement}>: only records belong there",
                        lines.LineNumber,
                        lines.LinePosition);
            }
        }
    }

    private async Task<UnloadRecord> ReadRecordAsync(XmlReader xml, IXmlLineInfo lines)
    {
        var table = xml.LocalName;
        var line = lines.LineNumber;
        var position = lines.LinePosition;
        var elementAction = xml.GetAttribute("action") ?? string.Empty;
        var fields = new List<UnloadField>();
        if (xml.IsEmptyElement)
        {
            await xml.ReadAsync();
            return Track(UnloadRecord.Create(table, elementAction, fields), line, position);
        }

        await xml.ReadAsync();
        while (true)
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Element when _fields is not null && !_fields.Contains(xml.LocalName):
                    await xml.SkipAsync();
                    break;
                case XmlNodeType.Element:
                    fields.Add(await ReadFieldAsync(xml, lines, table));
                    break;
                case XmlNodeType.EndElement:
                    await xml.ReadAsync();
                    return Track(UnloadRecord.Create(table, elementAction, fields), line, position);
                case XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    await xml.ReadAsync();
                    break;
                default:
                    throw new UpdateSetFormatException(
                        $"unexpected {Describe(xml)} inside <{table}>: a record holds only field elements",
                        lines.LineNumber,
                        lines.LinePosition);
            }
        }
    }

    /// <summary>Reads one field element and leaves the reader on the node after its end tag.</summary>
    private static async Task<UnloadField> ReadFieldAsync(XmlReader xml, IXmlLineInfo lines, string table)
    {
        var name = xml.LocalName;
        var attributes = ReadAttributes(xml);
        if (xml.IsEmptyElement)
        {
            await xml.ReadAsync();
            return new UnloadField(name, string.Empty, attributes);
        }

        // Text, CDATA and whitespace concatenated exactly as decoded; the usual case is one text node.
        string? single = null;
        StringBuilder? several = null;
        await xml.ReadAsync();
        while (xml.NodeType != XmlNodeType.EndElement)
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    if (single is null)
                    {
                        single = xml.Value;
                    }
                    else
                    {
                        several ??= new StringBuilder(single);
                        several.Append(xml.Value);
                    }

                    break;
                case XmlNodeType.Element:
                    throw new UpdateSetFormatException(
                        $"field <{name}> of <{table}> contains an element <{xml.Name}>; fields hold text only",
                        lines.LineNumber,
                        lines.LinePosition);
            }

            await xml.ReadAsync();
        }

        await xml.ReadAsync();
        return new UnloadField(name, several?.ToString() ?? single ?? string.Empty, attributes);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> ReadAttributes(XmlReader xml)
    {
        if (!xml.HasAttributes)
        {
            return Array.Empty<KeyValuePair<string, string>>();
        }

        var attributes = new List<KeyValuePair<string, string>>(xml.AttributeCount);
        while (xml.MoveToNextAttribute())
        {
            attributes.Add(new(xml.Name, xml.Value));
        }

        xml.MoveToElement();
        return attributes;
    }

    private static async Task<bool> ReadToEndAsync(XmlReader xml, IXmlLineInfo lines)
    {
        // Anything after </unload> other than whitespace and comments makes the parser throw, which
        // catches files with two documents glued together.
        while (await xml.ReadAsync())
        {
            if (xml.NodeType is not (XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace))
            {
                throw new UpdateSetFormatException($"unexpected {Describe(xml)} after </{RootElement}>", lines.LineNumber, lines.LinePosition);
            }
        }

        return true;
    }

    private UnloadRecord Track(UnloadRecord record, int line, int position)
    {
        switch (record)
        {
            case RemoteUpdateSetRecord set when !string.IsNullOrEmpty(set.SysId):
                _updateSetsInFile.Add(set.SysId);
                break;
            case UpdateXmlRecord update:
                var setId = update.RemoteUpdateSet ?? string.Empty;
                if (_updateSetsReferenced.TryGetValue(setId, out var known))
                {
                    _updateSetsReferenced[setId] = known with { Count = known.Count + 1 };
                }
                else
                {
                    _updateSetsReferenced[setId] = new UpdateReference(update.Name ?? update.SysId ?? "(unnamed)", line, position, 1);
                }

                break;
        }

        return record;
    }

    private void ReportUpdatesOutsideFile()
    {
        foreach (var (setId, first) in _updateSetsReferenced)
        {
            if (_updateSetsInFile.Contains(setId))
            {
                continue;
            }

            var which = first.Count == 1 ? $"update {first.FirstUpdate}" : $"{first.Count} updates (first: {first.FirstUpdate})";
            var message = setId.Length == 0
                ? $"{which} name no remote_update_set"
                : $"{which} point at update set {setId}, which is not in this file";
            _warnings.Add(new UpdateSetXmlWarning(message, first.Line, first.Position));
        }
    }

    private static string Describe(XmlReader xml) => xml.NodeType switch
    {
        XmlNodeType.Text or XmlNodeType.CDATA => "text",
        XmlNodeType.Element => $"element <{xml.Name}>",
        XmlNodeType.EndElement => $"end tag </{xml.Name}>",
        _ => xml.NodeType.ToString(),
    };

    /// <summary>Turns the parser's exceptions into one clear error naming the problem and its place.</summary>
    private static async Task<T> Guard<T>(IXmlLineInfo lines, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (XmlException ex)
        {
            // Some parser errors (a refused DTD) carry no position; the reader knows where it stopped.
            var line = ex.LineNumber > 0 ? ex.LineNumber : lines.LineNumber;
            var position = ex.LineNumber > 0 ? ex.LinePosition : lines.LinePosition;
            throw new UpdateSetFormatException(Classify(ex), line, position, ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw new UpdateSetFormatException("the file is not valid UTF-8 text", lines.LineNumber, lines.LinePosition, ex);
        }
    }

    private static string Classify(XmlException ex)
    {
        var message = ex.Message;
        if (message.Contains("DTD", StringComparison.Ordinal))
        {
            return "the file declares a DTD (<!DOCTYPE> before the root element), which CloneFlow refuses so that no entity is expanded and nothing external is read; ServiceNow exports never contain one";
        }

        if (message.StartsWith("Unexpected end of file", StringComparison.Ordinal) || message.Contains("Root element is missing", StringComparison.Ordinal) && ex.LineNumber > 1)
        {
            return "the file ends before the XML is complete: it is truncated (an interrupted download or copy?)";
        }

        if (message.Contains("Root element is missing", StringComparison.Ordinal))
        {
            return "not an XML file: it is empty";
        }

        if (message.StartsWith("Data at the root level is invalid", StringComparison.Ordinal) && ex.LineNumber == 1 && ex.LinePosition <= 2)
        {
            return "not an XML file: it does not start with an XML declaration or element";
        }

        return $"the file is not well-formed XML: {StripPosition(message)}";
    }

    private static string StripPosition(string message)
    {
        var at = message.IndexOf(" Line ", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }

    private sealed record UpdateReference(string FirstUpdate, int Line, int Position, int Count);
}
