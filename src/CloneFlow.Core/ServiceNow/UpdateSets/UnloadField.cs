namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// One field of a record in an unload file: <c>&lt;name attr="..."&gt;value&lt;/name&gt;</c>.
/// </summary>
/// <param name="Name">The element name, i.e. the ServiceNow column name.</param>
/// <param name="Value">The text exactly as an XML parser decodes it (entities resolved, CDATA content, XML line-end normalisation); empty for <c>&lt;x/&gt;</c> and <c>&lt;x&gt;&lt;/x&gt;</c>.</param>
/// <param name="Attributes">The element's attributes in file order, e.g. <c>display_value</c> on reference fields.</param>
public sealed record UnloadField(string Name, string Value, IReadOnlyList<KeyValuePair<string, string>> Attributes)
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> NoAttributes = [];

    /// <summary>Creates a field without attributes.</summary>
    public UnloadField(string name, string value)
        : this(name, value, NoAttributes)
    {
    }

    /// <summary>The value of the named attribute, or null when the element does not carry it.</summary>
    public string? Attribute(string name)
    {
        foreach (var attribute in Attributes)
        {
            if (attribute.Key == name)
            {
                return attribute.Value;
            }
        }

        return null;
    }

    /// <summary>Value equality that includes the attributes (records compare lists by reference otherwise).</summary>
    public bool Equals(UnloadField? other) =>
        other is not null
        && Name == other.Name
        && Value == other.Value
        && Attributes.SequenceEqual(other.Attributes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Value, Attributes.Count);
}
