namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>Something odd in an unload file that does not stop it being read.</summary>
/// <param name="Message">What is odd, naming the records involved.</param>
/// <param name="LineNumber">1-based line of the first record involved.</param>
/// <param name="LinePosition">1-based position in that line.</param>
public sealed record UpdateSetXmlWarning(string Message, int LineNumber, int LinePosition)
{
    /// <inheritdoc />
    public override string ToString() => $"{Message} (line {LineNumber}, position {LinePosition})";
}
