using System.Buffers;
using System.Globalization;
using System.Text;

namespace CloneFlow.Simulator.Data;

/// <summary>
/// A parsed ServiceNow encoded query (<c>sysparm_query</c>): <c>^</c> joins clauses (and), <c>^OR</c>
/// adds an alternative to the previous clause, <c>^NQ</c> starts a new OR'ed query, and
/// <c>ORDERBY</c>/<c>ORDERBYDESC</c> terms sort. Conditions on fields the table does not have are
/// dropped, as ServiceNow does by default, so such a query matches more rows, not fewer.
/// </summary>
internal sealed class EncodedQuery
{
    // Longest first so "NOT IN" wins over "IN", "!=" over "=", ">=" over ">".
    private static readonly string[] Operators =
    [
        "DOES NOT CONTAIN", "ISNOTEMPTY", "STARTSWITH", "ENDSWITH", "NOT LIKE", "ISEMPTY", "NOT IN", "LIKE",
        "IN", "!=", ">=", "<=", "=", ">", "<",
    ];

    private EncodedQuery(List<List<List<Condition>>> groups, List<(string Field, bool Descending)> order)
    {
        Groups = groups;
        Order = order;
    }

    /// <summary>OR'ed queries (^NQ), each a list of AND'ed clauses, each a list of OR'ed conditions.</summary>
    public IReadOnlyList<List<List<Condition>>> Groups { get; }

    public IReadOnlyList<(string Field, bool Descending)> Order { get; }

    public static EncodedQuery Parse(string? text)
    {
        var groups = new List<List<List<Condition>>>();
        var order = new List<(string, bool)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return new EncodedQuery(groups, order);
        }

        foreach (var groupText in text.Split("^NQ", StringSplitOptions.None))
        {
            var clauses = new List<List<Condition>>();
            foreach (var term in SplitTerms(groupText))
            {
                if (term.Length == 0 || term == "EQ")
                {
                    continue;
                }

                if (term.StartsWith("ORDERBYDESC", StringComparison.Ordinal))
                {
                    order.Add((term["ORDERBYDESC".Length..], true));
                    continue;
                }

                if (term.StartsWith("ORDERBY", StringComparison.Ordinal))
                {
                    order.Add((term["ORDERBY".Length..], false));
                    continue;
                }

                var isOr = term.StartsWith("OR", StringComparison.Ordinal) && term.Length > 2 && IsFieldChar(term[2]);
                var condition = ParseCondition(isOr ? term[2..] : term);
                if (isOr && clauses.Count > 0)
                {
                    clauses[^1].Add(condition);
                }
                else
                {
                    clauses.Add([condition]);
                }
            }

            groups.Add(clauses);
        }

        return new EncodedQuery(groups, order);
    }

    /// <summary>Drops conditions and sort keys on unknown fields; a clause whose alternatives are all dropped is dropped too.</summary>
    public EncodedQuery Bind(Func<string, bool> isKnownField)
    {
        var groups = Groups
            .Select(g => g
                .Select(clause => clause.Where(c => c.Operator is not null && isKnownField(c.Field)).ToList())
                .Where(clause => clause.Count > 0)
                .ToList())
            .ToList();
        var order = Order.Where(o => isKnownField(o.Field)).ToList();
        return new EncodedQuery(groups, order);
    }

    public bool Matches(IReadOnlyDictionary<string, string> row, Func<IReadOnlyDictionary<string, string>, string, string> valueOf)
    {
        if (Groups.Count == 0)
        {
            return true;
        }

        foreach (var group in Groups)
        {
            if (group.All(clause => clause.Exists(c => c.Test(valueOf(row, c.Field)))))
            {
                return true;
            }
        }

        return false;
    }

    public static int CompareValues(string a, string b)
    {
        // sys_ids (32 hex digits) compare as text, as ServiceNow compares them, and cheaply: keyset paging
        // filters and sorts by sys_id on every page. (As numbers, the rare all-digit id with one 'e' would
        // read as a float.)
        if (IsSysId(a) && IsSysId(b))
        {
            return string.CompareOrdinal(a, b);
        }

        if (double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
        {
            return x.CompareTo(y);
        }

        return string.Compare(a, b, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// How values of <paramref name="field"/> compare in ranges and sorts: a <c>sys_id</c> (a GUID column,
    /// 32 lowercase hex digits) as text, without looking at its digits on every comparison (keyset paging
    /// filters and sorts by sys_id on every page: checking both values' digits on every comparison was
    /// over a third of the simulator's CPU in a 100k-update export, in a perf profile); any other field by <see cref="CompareValues"/>.
    /// </summary>
    public static Comparison<string> ComparisonFor(string field) =>
        field == "sys_id" ? string.CompareOrdinal : CompareValues;

    private static bool IsSysId(string value) => value.Length == 32 && !value.AsSpan().ContainsAnyExcept(HexDigits);

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");

    private static Condition ParseCondition(string term)
    {
        var end = 0;
        while (end < term.Length && IsFieldChar(term[end]))
        {
            end++;
        }

        var field = term[..end];
        var rest = term[end..];
        foreach (var op in Operators)
        {
            if (rest.StartsWith(op, StringComparison.Ordinal))
            {
                return new Condition(field, op, rest[op.Length..]);
            }
        }

        return new Condition(field, null, rest);
    }

    private static bool IsFieldChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.';

    private static List<string> SplitTerms(string text)
    {
        // "^^" is an escaped caret inside a value.
        var terms = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '^')
            {
                if (i + 1 < text.Length && text[i + 1] == '^')
                {
                    current.Append('^');
                    i++;
                    continue;
                }

                terms.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(text[i]);
        }

        terms.Add(current.ToString());
        return terms;
    }

    /// <summary>One condition: field, operator (null when unrecognised) and value.</summary>
    internal sealed record Condition(string Field, string? Operator, string Value)
    {
        private readonly Comparison<string> _compare = ComparisonFor(Field);

        public bool Test(string actual) => Operator switch
        {
            "=" => string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase),
            // Like SQL on ServiceNow, negative operators never match an empty value.
            "!=" => actual.Length > 0 && !string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase),
            "IN" => Value.Split(',').Any(v => string.Equals(actual, v.Trim(), StringComparison.OrdinalIgnoreCase)),
            "NOT IN" => actual.Length > 0 && !Value.Split(',').Any(v => string.Equals(actual, v.Trim(), StringComparison.OrdinalIgnoreCase)),
            "ISEMPTY" => actual.Length == 0,
            "ISNOTEMPTY" => actual.Length > 0,
            "LIKE" => actual.Contains(Value, StringComparison.OrdinalIgnoreCase),
            "NOT LIKE" or "DOES NOT CONTAIN" => actual.Length > 0 && !actual.Contains(Value, StringComparison.OrdinalIgnoreCase),
            "STARTSWITH" => actual.StartsWith(Value, StringComparison.OrdinalIgnoreCase),
            "ENDSWITH" => actual.EndsWith(Value, StringComparison.OrdinalIgnoreCase),
            ">" => actual.Length > 0 && _compare(actual, Value) > 0,
            ">=" => actual.Length > 0 && _compare(actual, Value) >= 0,
            "<" => actual.Length > 0 && _compare(actual, Value) < 0,
            "<=" => actual.Length > 0 && _compare(actual, Value) <= 0,
            _ => true,
        };
    }
}
