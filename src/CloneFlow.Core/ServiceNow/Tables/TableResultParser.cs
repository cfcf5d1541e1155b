using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace CloneFlow.Core.ServiceNow.Tables;

/// <summary>
/// Finds the rows of a Table API answer (<c>{"result":[{...},{...}]}</c>) in the bytes as they arrive,
/// one chunk at a time, so a page of hundreds of large rows is never held whole: only the row being
/// parsed and the chunk it is in. Fed with <see cref="Parse"/> until <see cref="Done"/>.
/// </summary>
internal sealed class TableResultParser
{
    private readonly List<(string Name, byte[] Utf8)> _names = [];
    private JsonReaderState _state;
    private Step _step = Step.Root;

    private enum Step
    {
        Root,
        Property,
        ResultList,
        Rows,
        Done,
    }

    /// <summary>True once the end of the result list has been read.</summary>
    public bool Done => _step == Step.Done;

    /// <summary>
    /// Reads the complete rows in <paramref name="buffer"/> into <paramref name="rows"/> and returns how
    /// far the bytes were used: a row cut off at the end of the chunk is read again, whole, from there
    /// with the next chunk.
    /// </summary>
    /// <param name="buffer">The unread bytes.</param>
    /// <param name="final">True when no more bytes will come.</param>
    /// <param name="rows">Where complete rows go.</param>
    /// <exception cref="JsonException">The answer is not a result list, or ends before it does.</exception>
    public SequencePosition Parse(ReadOnlySequence<byte> buffer, bool final, List<ServiceNowRecord> rows)
    {
        var reader = new Utf8JsonReader(buffer, final, _state);
        var used = reader.Position;
        var usedState = reader.CurrentState;
        while (_step != Step.Done)
        {
            if (!TryStep(ref reader, rows))
            {
                if (final)
                {
                    throw new JsonException("the answer ends before its result list does");
                }

                break;
            }

            used = reader.Position;
            usedState = reader.CurrentState;
        }

        _state = usedState;
        return used;
    }

    /// <summary>One token or row further, or false (the reader then partly advanced) when the chunk ends first.</summary>
    private bool TryStep(ref Utf8JsonReader reader, List<ServiceNowRecord> rows)
    {
        if (!reader.Read())
        {
            return false;
        }

        switch (_step)
        {
            case Step.Root:
                _step = reader.TokenType == JsonTokenType.StartObject ? Step.Property : throw new JsonException("the answer is not a JSON object");
                return true;
            case Step.Property:
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    throw new JsonException("the answer has no \"result\" list");
                }

                if (reader.ValueTextEquals("result"u8))
                {
                    _step = Step.ResultList;
                    return true;
                }

                // Anything before the list is skipped, if it is all here.
                return reader.TrySkip();
            case Step.ResultList:
                _step = reader.TokenType == JsonTokenType.StartArray ? Step.Rows : throw new JsonException("\"result\" is not a list");
                return true;
            default:
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _step = Step.Done;
                    return true;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new JsonException("a row of \"result\" is not an object");
                }

                if (!TryReadRow(ref reader, out var row))
                {
                    return false;
                }

                rows.Add(row);
                return true;
        }
    }

    /// <summary>
    /// Reads one row straight from the tokens (the reader is on its <c>{</c>), or false when the chunk ends
    /// first: the row is then read again, whole, from its start with the next chunk. Each value is decoded
    /// once, as <see cref="ServiceNowRecord.FromJson"/> would decode it from a parsed document.
    /// </summary>
    private bool TryReadRow(ref Utf8JsonReader reader, [NotNullWhen(true)] out ServiceNowRecord? row)
    {
        row = null;
        var values = new Dictionary<string, string?>(_names.Count, StringComparer.Ordinal);
        for (var field = 0; ; field++)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                row = ServiceNowRecord.Wrap(values);
                return true;
            }

            var name = FieldName(ref reader, field);
            if (!reader.Read())
            {
                return false;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    values[name] = reader.GetString();
                    break;
                case JsonTokenType.Null:
                    values[name] = null;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    // References ({"link","value"}) and anything nested: rare, read as a document.
                    if (!JsonDocument.TryParseValue(ref reader, out var nested))
                    {
                        return false;
                    }

                    using (nested)
                    {
                        values[name] = ServiceNowRecord.ValueOf(nested.RootElement);
                    }

                    break;
                default:
                    // Numbers, true and false: their text as written.
                    values[name] = reader.HasValueSequence ? Encoding.UTF8.GetString(reader.ValueSequence) : Encoding.UTF8.GetString(reader.ValueSpan);
                    break;
            }
        }
    }

    /// <summary>
    /// The property the reader is on, as a string shared by every row: the rows of a page name the same
    /// fields in the same order, so the name at this place in the last row is almost always the one.
    /// </summary>
    private string FieldName(ref Utf8JsonReader reader, int field)
    {
        if (field < _names.Count && reader.ValueTextEquals(_names[field].Utf8))
        {
            return _names[field].Name;
        }

        var name = reader.GetString()!;
        var known = (Name: name, Utf8: Encoding.UTF8.GetBytes(name));
        if (field < _names.Count)
        {
            _names[field] = known;
        }
        else
        {
            _names.Add(known);
        }

        return name;
    }
}
