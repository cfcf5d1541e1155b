using System.Globalization;
using System.Text;
using System.Xml;

namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// Writes an update-set unload file record by record, in the format ServiceNow's
/// "Import Update Set from XML" accepts: <c>&lt;?xml ...?&gt;&lt;unload unload_date="..."&gt;</c>, one
/// element per record with an <c>action</c> attribute, one child per field. Text is always
/// entity-escaped (never CDATA: payloads contain their own CDATA sections), so any value survives a
/// round trip character for character.
/// </summary>
public sealed class UpdateSetXmlWriter : IAsyncDisposable
{
    /// <summary>The format of <c>unload_date</c>.</summary>
    public const string UnloadDateFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly byte[] Declaration = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    private readonly XmlWriter _xml;
    private bool _completed;
    private bool _disposed;

    private UpdateSetXmlWriter(XmlWriter xml)
    {
        _xml = xml;
    }

    /// <summary>Formats a time as ServiceNow writes <c>unload_date</c>.</summary>
    public static string FormatUnloadDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString(UnloadDateFormat, CultureInfo.InvariantCulture);

    /// <summary>Starts a file on <paramref name="stream"/> (left open) with the given <c>unload_date</c>.</summary>
    public static async Task<UpdateSetXmlWriter> CreateAsync(Stream stream, string unloadDate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(unloadDate);

        // ServiceNow writes the declaration with "UTF-8" in capitals and no newline after it.
        await stream.WriteAsync(Declaration, cancellationToken);
        var settings = new XmlWriterSettings
        {
            Async = true,
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            OmitXmlDeclaration = true,
            Indent = false,
            // A carriage return inside a value must come back as one: XML parsers turn a literal CR into LF.
            NewLineHandling = NewLineHandling.Entitize,
            CheckCharacters = true,
            CloseOutput = false,
        };
        var xml = XmlWriter.Create(stream, settings);
        await xml.WriteStartElementAsync(null, UpdateSetXmlReader.RootElement, null);
        await xml.WriteAttributeStringAsync(null, "unload_date", null, unloadDate);
        await xml.WriteStringAsync("\n");
        return new UpdateSetXmlWriter(xml);
    }

    /// <summary>Writes one record with all its fields and attributes in order.</summary>
    public async Task WriteAsync(UnloadRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The unload file is already complete; no record can follow </unload>.");
        }

        cancellationToken.ThrowIfCancellationRequested();

        await _xml.WriteStartElementAsync(null, XmlConvert.VerifyName(record.Table), null);
        await _xml.WriteAttributeStringAsync(null, "action", null, record.ElementAction);
        await _xml.WriteStringAsync("\n");
        foreach (var field in record.Fields)
        {
            await _xml.WriteStartElementAsync(null, XmlConvert.VerifyName(field.Name), null);
            foreach (var attribute in field.Attributes)
            {
                await _xml.WriteAttributeStringAsync(null, attribute.Key, null, attribute.Value);
            }

            if (field.Value.Length > 0)
            {
                await _xml.WriteStringAsync(field.Value);
            }

            await _xml.WriteEndElementAsync();
            await _xml.WriteStringAsync("\n");
        }

        await _xml.WriteEndElementAsync();
        await _xml.WriteStringAsync("\n");
    }

    /// <summary>Closes <c>&lt;unload&gt;</c> and flushes. A file without this call is truncated.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        await _xml.WriteEndElementAsync();
        await _xml.FlushAsync();
        _completed = true;
    }

    /// <summary>Releases the writer. A file not completed stays visibly truncated: it is never closed for you.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_completed)
        {
            _xml.Dispose();
            return;
        }

        // XmlWriter.Dispose would write the missing end tags and make an abandoned export look whole,
        // so flush what was written and leave the document open.
        await _xml.FlushAsync();
    }
}
