namespace CloneFlow.Simulator.Data;

/// <summary>The outcome of a write: the stored row, or the HTTP status and ServiceNow error text that refuse it.</summary>
internal sealed record OperationResult(IReadOnlyDictionary<string, string>? Row, int Status, string? Message, string? Detail)
{
    public bool Succeeded => Row is not null;

    public static OperationResult Ok(IReadOnlyDictionary<string, string> row) => new(row, 200, null, null);

    public static OperationResult Fail(int status, string message, string? detail) => new(null, status, message, detail);
}
