namespace CloneFlow.Core.Runs;

/// <summary>The external event (<c>cancel</c>) that asks a run to stop.</summary>
/// <param name="By">Who asked.</param>
/// <param name="Reason">Why.</param>
public sealed record CancelRequest(string By, string Reason)
{
    /// <summary>The event name.</summary>
    public const string EventName = "cancel";
}
