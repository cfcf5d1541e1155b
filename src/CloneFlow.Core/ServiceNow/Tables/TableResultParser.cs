using System.Buffers;
using System.Text.Json;

namespace CloneFlow.Core.ServiceNow.Tables;

/// <summary>
/// Finds the rows of a Table API answer (<c>{"result":[{...},{...}]}</c>) in the bytes as they arrive,
/// one chunk at a time, so a page of hundreds of large rows is never held whole: only the row being
/// parsed and the chunk it is in. Fed with <see cref="Parse"/> until <see cref="Done"/>.
/// </summary>
internal sealed class TableResultParser
{
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

                if (!JsonDocument.TryParseValue(ref reader, out var row))
                {
                    return false;
                }

                using (row)
                {
                    rows.Add(ServiceNowRecord.FromJson(row.RootElement));
                }

                return true;
        }
    }
}
