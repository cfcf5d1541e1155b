using System.Text;
using System.Text.RegularExpressions;

namespace CloneFlow.Core.ServiceNow.Tables;

/// <summary>
/// A ServiceNow encoded query built from checked parts: field names must look like field names and
/// values cannot smuggle in extra conditions (<c>^</c>) or list items (<c>,</c> in IN). Immutable.
/// </summary>
public sealed partial class TableQuery
{
    private readonly List<string> _terms;
    private readonly List<string> _fields;

    private TableQuery(List<string> terms, List<string> fields)
    {
        _terms = terms;
        _fields = fields;
    }

    /// <summary>A query that matches every row.</summary>
    public static TableQuery All { get; } = new([], []);

    /// <summary>The field names the query uses, for validation against a table's schema.</summary>
    public IReadOnlyList<string> Fields => _fields;

    /// <summary>True when the query sorts (ORDERBY/ORDERBYDESC).</summary>
    public bool HasOrdering => _terms.Any(t => t.StartsWith("ORDERBY", StringComparison.Ordinal));

    /// <summary>The encoded query (<c>sysparm_query</c>), empty for <see cref="All"/>.</summary>
    public string Encoded => string.Join('^', _terms);

    /// <summary>
    /// An encoded query taken as written, for queries that come from configuration (extra tables).
    /// Never pass request input here: it is not checked.
    /// </summary>
    public static TableQuery FromConfiguration(string encoded)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(encoded);
        if (encoded.Contains('\n', StringComparison.Ordinal) || encoded.Contains("ORDERBY", StringComparison.Ordinal))
        {
            throw new ArgumentException("A configured query cannot contain line breaks or ORDERBY.", nameof(encoded));
        }

        return new TableQuery([encoded], []);
    }

    /// <summary><c>field=value</c>.</summary>
    public static TableQuery Where(string field, string value) => All.And(field, value);

    /// <summary>Adds <c>^field=value</c>.</summary>
    public TableQuery And(string field, string value) => Add("^", field, "=", Value(value));

    /// <summary>Adds <c>^field!=value</c>.</summary>
    public TableQuery AndNot(string field, string value) => Add("^", field, "!=", Value(value));

    /// <summary>Adds <c>^fieldINa,b</c>; an empty list matches nothing.</summary>
    public TableQuery AndIn(string field, IEnumerable<string> values) => Add("^", field, "IN", List(values));

    /// <summary>Adds <c>^fieldNOT INa,b</c>.</summary>
    public TableQuery AndNotIn(string field, IEnumerable<string> values) => Add("^", field, "NOT IN", List(values));

    /// <summary>Adds <c>^fieldISEMPTY</c>.</summary>
    public TableQuery AndEmpty(string field) => Add("^", field, "ISEMPTY", string.Empty);

    /// <summary>Adds <c>^fieldISNOTEMPTY</c>.</summary>
    public TableQuery AndNotEmpty(string field) => Add("^", field, "ISNOTEMPTY", string.Empty);

    /// <summary>Adds <c>^fieldLIKEvalue</c> (contains).</summary>
    public TableQuery AndLike(string field, string value) => Add("^", field, "LIKE", Value(value));

    /// <summary>Adds <c>^fieldSTARTSWITHvalue</c>.</summary>
    public TableQuery AndStartsWith(string field, string value) => Add("^", field, "STARTSWITH", Value(value));

    /// <summary>Adds <c>^field&gt;value</c> (string or number order, as ServiceNow compares the field).</summary>
    public TableQuery AndGreaterThan(string field, string value) => Add("^", field, ">", Value(value));

    /// <summary>Adds <c>^field&gt;=value</c> (string or number order, as ServiceNow compares the field).</summary>
    public TableQuery AndGreaterOrEqual(string field, string value) => Add("^", field, ">=", Value(value));

    /// <summary>Adds <c>^field&lt;value</c> (string or number order, as ServiceNow compares the field).</summary>
    public TableQuery AndLessThan(string field, string value) => Add("^", field, "<", Value(value));

    /// <summary>Adds <c>^ORfield=value</c>: true when the previous condition or this one is.</summary>
    public TableQuery OrEqual(string field, string value)
    {
        if (_terms.Count == 0)
        {
            throw new InvalidOperationException("An OR condition needs a condition before it.");
        }

        return Add("^OR", field, "=", Value(value));
    }

    /// <summary>Adds <c>^ORDERBYfield</c>.</summary>
    public TableQuery OrderBy(string field) => Add("^", "ORDERBY", string.Empty, Field(field), field);

    /// <summary>Adds <c>^ORDERBYDESCfield</c>.</summary>
    public TableQuery OrderByDescending(string field) => Add("^", "ORDERBYDESC", string.Empty, Field(field), field);

    /// <inheritdoc />
    public override string ToString() => Encoded;

    private TableQuery Add(string joiner, string field, string op, string value) => Add(joiner, Field(field), op, value, field);

    private TableQuery Add(string joiner, string left, string op, string value, string field)
    {
        var term = new StringBuilder(left).Append(op).Append(value).ToString();
        var terms = new List<string>(_terms);
        if (joiner == "^OR")
        {
            terms[^1] = terms[^1] + "^OR" + term;
        }
        else
        {
            terms.Add(term);
        }

        return new TableQuery(terms, [.. _fields, field]);
    }

    private static string Field(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!FieldName().IsMatch(field))
        {
            throw new ArgumentException($"'{field}' is not a ServiceNow field name (lowercase letters, digits, _ and dot-walks).", nameof(field));
        }

        return field;
    }

    private static string Value(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('^', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A query value cannot contain '^' or line breaks (they would change the query): '{value}'.", nameof(value));
        }

        return value;
    }

    private static string List(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var items = values.Select(Value).ToList();
        if (items.Any(v => v.Contains(',', StringComparison.Ordinal)))
        {
            throw new ArgumentException("An IN list item cannot contain ','.", nameof(values));
        }

        return string.Join(',', items);
    }

    [GeneratedRegex("^[a-z0-9_]+(\\.[a-z0-9_]+)*$")]
    private static partial Regex FieldName();
}
