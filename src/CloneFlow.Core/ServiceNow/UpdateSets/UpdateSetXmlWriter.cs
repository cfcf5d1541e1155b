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

    /// <summary>The record buffer's starting size (a typical record is a few KB).</summary>
    private const int InitialBufferBytes = 16 * 1024;

    /// <summary>A record buffer grown past this (a huge payload) is not kept for the next record.</summary>
    private const int KeptBufferBytes = 1024 * 1024;

    private readonly Stream _output;
    private readonly MemoryStream _buffer;
    private readonly XmlWriter _xml;
    private bool _completed;
    private bool _disposed;

    private UpdateSetXmlWriter(Stream output, MemoryStream buffer, XmlWriter xml)
    {
        _output = output;
        _buffer = buffer;
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

        // Each record is written synchronously into a buffer and then copied out in one asynchronous
        // write: the asynchronous XmlWriter awaits every start tag, attribute and value, which made it
        // the largest share of CloneFlow's CPU per exported byte.
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            OmitXmlDeclaration = true,
            Indent = false,
            // A carriage return inside a value must come back as one: XML parsers turn a literal CR into LF.
            NewLineHandling = NewLineHandling.Entitize,
            CheckCharacters = true,
            CloseOutput = false,
        };
        var buffer = new MemoryStream(InitialBufferBytes);
        var xml = XmlWriter.Create(buffer, settings);
        var writer = new UpdateSetXmlWriter(stream, buffer, xml);
        xml.WriteStartElement(null, UpdateSetXmlReader.RootElement, null);
        xml.WriteAttributeString(null, "unload_date", null, unloadDate);
        xml.WriteString("\n");
        await writer.CopyOutAsync(cancellationToken);
        return writer;
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

        _xml.WriteStartElement(null, XmlConvert.VerifyName(record.Table), null);
        _xml.WriteAttributeString(null, "action", null, record.ElementAction);
        _xml.WriteString("\n");
        foreach (var field in record.Fields)
        {
            _xml.WriteStartElement(null, XmlConvert.VerifyName(field.Name), null);
            foreach (var attribute in field.Attributes)
            {
                _xml.WriteAttributeString(null, attribute.Key, null, attribute.Value);
            }

            if (field.Value.Length > 0)
            {
                _xml.WriteString(field.Value);
            }

            _xml.WriteEndElement();
            _xml.WriteString("\n");
        }

        _xml.WriteEndElement();
        _xml.WriteString("\n");
        await CopyOutAsync(cancellationToken);
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
        _xml.WriteEndElement();
        await CopyOutAsync(cancellationToken);
        await _output.FlushAsync(cancellationToken);
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
        if (!_completed)
        {
            // XmlWriter.Dispose would write the missing end tags and make an abandoned export look
            // whole, so only what was written so far goes out and the document stays open; whatever
            // Dispose adds stays in the buffer.
            await CopyOutAsync(CancellationToken.None);
            await _output.FlushAsync();
        }

        _xml.Dispose();
        await _buffer.DisposeAsync();
    }

    /// <summary>Moves what the XML writer produced since the last call to the output, then empties the buffer (shrunk after an unusually large record).</summary>
    private async Task CopyOutAsync(CancellationToken cancellationToken)
    {
        _xml.Flush();
        if (_buffer.Length > 0)
        {
            await _output.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken);
        }

        _buffer.SetLength(0);
        if (_buffer.Capacity > KeptBufferBytes)
        {
            _buffer.Capacity = InitialBufferBytes;
        }
    }
}
