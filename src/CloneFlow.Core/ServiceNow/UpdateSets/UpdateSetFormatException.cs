namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// An unload file CloneFlow cannot read: the message names the problem and where it is, so a person
/// can fix or re-export the file.
/// </summary>
public sealed class UpdateSetFormatException : Exception
{
    /// <summary>Creates the error for a problem at a known place in the file (line and position are 1-based; 0 when unknown).</summary>
    public UpdateSetFormatException(string problem, int lineNumber, int linePosition, Exception? innerException = null)
        : base(Describe(problem, lineNumber, linePosition), innerException)
    {
        Problem = problem;
        LineNumber = lineNumber;
        LinePosition = linePosition;
    }

    /// <summary>Creates the error without a position.</summary>
    public UpdateSetFormatException(string problem)
        : this(problem, 0, 0)
    {
    }

    /// <summary>Creates the error without a position, wrapping the cause.</summary>
    public UpdateSetFormatException(string problem, Exception innerException)
        : this(problem, 0, 0, innerException)
    {
    }

    /// <summary>Required by CA1032; prefer the constructors that name the problem.</summary>
    public UpdateSetFormatException()
        : this("the update-set XML file is not valid")
    {
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; }

    /// <summary>1-based line of the problem, 0 when unknown.</summary>
    public int LineNumber { get; }

    /// <summary>1-based position in the line, 0 when unknown.</summary>
    public int LinePosition { get; }

    private static string Describe(string problem, int line, int position) =>
        line > 0 ? $"{problem} (line {line}, position {position})" : problem;
}
