namespace CloneFlow.Core.Runtime;

/// <summary>
/// How long a write the storage acknowledged may still be lost if the storage itself dies: zero for
/// an Azure Storage account; a few seconds for Azurite, which saves its metadata to disk on a timer.
/// Steps whose effect cannot be taken back (a clone request) or that tell a person "done" (a recorded
/// approval) first wait this long, so what they stand on is on disk before they act.
/// </summary>
/// <param name="UnsavedWindow">The longest an acknowledged write may stay unsaved.</param>
public sealed record StorageDurability(TimeSpan UnsavedWindow)
{
    /// <summary>Storage that keeps every write it acknowledged (an Azure Storage account).</summary>
    public static StorageDurability Immediate { get; } = new(TimeSpan.Zero);

    /// <summary>True when acknowledged writes may be lost for a while.</summary>
    public bool Lags => UnsavedWindow > TimeSpan.Zero;

    /// <summary>Waits until everything written before the call is saved.</summary>
    public Task SettleAsync(TimeProvider time, CancellationToken cancellationToken) =>
        Lags ? Task.Delay(UnsavedWindow, time, cancellationToken) : Task.CompletedTask;
}
