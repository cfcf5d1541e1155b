namespace CloneFlow.Simulator.Data;

/// <summary>The dictionary of one table: which fields exist, which are references and to which table.</summary>
/// <remarks>Copy-on-write: a change swaps in a new field map, so readers rendering outside the world lock never see one half-changed.</remarks>
internal sealed class TableSchema
{
    /// <summary>Fields every ServiceNow table has.</summary>
    public static readonly IReadOnlyList<string> SystemFields =
        ["sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "sys_class_name"];

    private Dictionary<string, string?> _fields = new(StringComparer.Ordinal);
    private HashSet<string> _hidden = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private object _shape = new();

    /// <summary>Creates the schema of <paramref name="name"/> with the system fields.</summary>
    public TableSchema(string name, string displayField = "name")
    {
        Name = name;
        DisplayField = displayField;
        foreach (var field in SystemFields)
        {
            _fields[field] = null;
        }

        _fields[displayField] = null;
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>A new object with every change of the fields (what a rendered row depends on).</summary>
    public object Shape => Volatile.Read(ref _shape);

    /// <summary>The field whose value is the record's display value.</summary>
    public string DisplayField { get; }

    /// <summary>The field names.</summary>
    public IEnumerable<string> Fields => Volatile.Read(ref _fields).Keys;

    /// <summary>True when the table has the field.</summary>
    public bool Has(string field) => Volatile.Read(ref _fields).ContainsKey(field);

    /// <summary>The referenced table when <paramref name="field"/> is a reference, else null.</summary>
    public string? ReferenceOf(string field) => Volatile.Read(ref _fields).GetValueOrDefault(field);

    /// <summary>True for fields the Table API never returns (passwords).</summary>
    public bool IsHidden(string field) => Volatile.Read(ref _hidden).Contains(field);

    /// <summary>Adds plain fields.</summary>
    public TableSchema With(params string[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        lock (_gate)
        {
            var next = new Dictionary<string, string?>(_fields, StringComparer.Ordinal);
            foreach (var field in fields)
            {
                next.TryAdd(field, null);
            }

            Volatile.Write(ref _fields, next);
            Volatile.Write(ref _shape, new object());
        }

        return this;
    }

    /// <summary>Adds a reference field to <paramref name="table"/>.</summary>
    public TableSchema Reference(string field, string table)
    {
        lock (_gate)
        {
            Volatile.Write(ref _fields, new Dictionary<string, string?>(_fields, StringComparer.Ordinal) { [field] = table });
            Volatile.Write(ref _shape, new object());
        }

        return this;
    }

    /// <summary>Adds a field the Table API never returns.</summary>
    public TableSchema Hidden(string field)
    {
        With(field);
        lock (_gate)
        {
            Volatile.Write(ref _hidden, new HashSet<string>(_hidden, StringComparer.Ordinal) { field });
            Volatile.Write(ref _shape, new object());
        }

        return this;
    }
}
