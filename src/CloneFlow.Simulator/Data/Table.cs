namespace CloneFlow.Simulator.Data;

/// <summary>
/// The rows of one table on one instance, indexed by sys_id and kept in insertion order.
/// Rows are never changed in place (an update stores a new dictionary), so a list of rows taken
/// under the world lock can be rendered after the lock is released. Equality lookups on a field
/// (<see cref="RowsWhereEqual"/>) use an index built the first time that field is asked for and kept
/// up to date by every change, as a real instance answers <c>update_set=X</c> from an index.
/// </summary>
internal sealed class Table
{
    private readonly List<IReadOnlyDictionary<string, string>?> _slots;
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _equality = new(StringComparer.Ordinal);
    private int _holes;

    public Table(string name)
    {
        Name = name;
        _slots = [];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
    }

    private Table(Table other)
    {
        Name = other.Name;
        _slots = new List<IReadOnlyDictionary<string, string>?>(other._slots.Count - other._holes);
        _index = new Dictionary<string, int>(other._index.Count, StringComparer.Ordinal);
        foreach (var row in other.Rows())
        {
            _index[row["sys_id"]] = _slots.Count;
            _slots.Add(row);
        }
    }

    public string Name { get; }

    public int Count => _index.Count;

    public IReadOnlyDictionary<string, string>? Get(string sysId) =>
        _index.TryGetValue(sysId, out var slot) ? _slots[slot] : null;

    public bool Contains(string sysId) => _index.ContainsKey(sysId);

    /// <summary>Adds or replaces the row with the same sys_id.</summary>
    public void Put(IReadOnlyDictionary<string, string> row)
    {
        var sysId = row["sys_id"];
        if (_index.TryGetValue(sysId, out var slot))
        {
            Unindex(_slots[slot]!);
            _slots[slot] = row;
            Index(row);
            return;
        }

        _index[sysId] = _slots.Count;
        _slots.Add(row);
        Index(row);
    }

    public bool Remove(string sysId)
    {
        if (!_index.Remove(sysId, out var slot))
        {
            return false;
        }

        Unindex(_slots[slot]!);
        _slots[slot] = null;
        _holes++;
        // Compacting only when half the slots are holes keeps deletes amortised O(1).
        if (_holes > 1024 && _holes > _slots.Count / 2)
        {
            Compact();
        }

        return true;
    }

    public void Clear()
    {
        _slots.Clear();
        _index.Clear();
        _equality.Clear();
        _holes = 0;
    }

    /// <summary>
    /// The rows whose <paramref name="field"/> equals one of <paramref name="values"/> as the encoded
    /// query's <c>=</c> and <c>IN</c> compare (ordinal, ignoring case; a missing field is empty), in table order.
    /// </summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> RowsWhereEqual(string field, IEnumerable<string> values)
    {
        var index = EqualityIndex(field);
        var slots = new List<int>();
        foreach (var value in values.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (index.TryGetValue(value, out var ids))
            {
                slots.AddRange(ids.Select(id => _index[id]));
            }
        }

        slots.Sort();
        return slots.Select(s => _slots[s]!);
    }

    public IEnumerable<IReadOnlyDictionary<string, string>> Rows()
    {
        foreach (var row in _slots)
        {
            if (row is not null)
            {
                yield return row;
            }
        }
    }

    /// <summary>A copy sharing the (immutable) rows: what a clone does to a table.</summary>
    public Table Copy() => new(this);

    private Dictionary<string, HashSet<string>> EqualityIndex(string field)
    {
        if (!_equality.TryGetValue(field, out var index))
        {
            index = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in Rows())
            {
                Add(index, field, row);
            }

            _equality[field] = index;
        }

        return index;
    }

    private void Index(IReadOnlyDictionary<string, string> row)
    {
        foreach (var (field, index) in _equality)
        {
            Add(index, field, row);
        }
    }

    private void Unindex(IReadOnlyDictionary<string, string> row)
    {
        foreach (var (field, index) in _equality)
        {
            var value = row.GetValueOrDefault(field) ?? string.Empty;
            if (index.TryGetValue(value, out var ids) && ids.Remove(row["sys_id"]) && ids.Count == 0)
            {
                index.Remove(value);
            }
        }
    }

    private static void Add(Dictionary<string, HashSet<string>> index, string field, IReadOnlyDictionary<string, string> row)
    {
        var value = row.GetValueOrDefault(field) ?? string.Empty;
        if (!index.TryGetValue(value, out var ids))
        {
            ids = new HashSet<string>(StringComparer.Ordinal);
            index[value] = ids;
        }

        ids.Add(row["sys_id"]);
    }

    private void Compact()
    {
        var rows = Rows().ToList();
        _slots.Clear();
        _index.Clear();
        foreach (var row in rows)
        {
            _index[row["sys_id"]] = _slots.Count;
            _slots.Add(row);
        }

        _holes = 0;
    }
}
