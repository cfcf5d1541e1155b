namespace CloneFlow.Core.Approvals;

/// <summary>
/// Which secrets hold the approval signing keys. Keys rotate by adding a new key id, making it
/// current, and removing the old one once its tokens have expired.
/// </summary>
public sealed record ApprovalSigningKeyOptions
{
    /// <summary>The key id new tokens are signed with; it must be one of <see cref="KeySecretNames"/>.</summary>
    public required string CurrentKeyId { get; init; }

    /// <summary>Key id to the name of the secret holding that key (base64 of at least 32 random bytes).</summary>
    public required IReadOnlyDictionary<string, string> KeySecretNames { get; init; }
}
