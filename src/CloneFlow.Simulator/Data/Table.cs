namespace CloneFlow.Simulator.Data;

/// <summary>
/// The rows of one table on one instance, indexed by sys_id and kept in insertion order.
/// Rows are never changed in place (an update stores a new dictionary), so a list of rows taken
/// under the world lock can be rendered after the lock is released.
/// </summary>
internal sealed class Table
{
    private readonly List<IReadOnlyDictionary<string, string>?> _slots;
    private readonly Dictionary<string, int> _index;
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
            _slots[slot] = row;
            return;
        }

        _index[sysId] = _slots.Count;
        _slots.Add(row);
    }

    public bool Remove(string sysId)
    {
        if (!_index.Remove(sysId, out var slot))
        {
            return false;
        }

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
        _holes = 0;
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
