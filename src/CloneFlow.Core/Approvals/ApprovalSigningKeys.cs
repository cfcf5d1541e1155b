using CloneFlow.Core.Secrets;

namespace CloneFlow.Core.Approvals;

/// <summary>
/// The HMAC keys approval tokens are signed and checked with: the current key signs, every key in
/// the ring verifies, so tokens issued before a rotation keep working while their key is kept.
/// </summary>
public sealed class ApprovalSigningKeys
{
    /// <summary>The shortest key accepted: 256 bits, the HMAC-SHA256 block security level.</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>The longest key id, which travels in every token.</summary>
    public const int MaximumKeyIdLength = 32;

    private readonly Dictionary<string, byte[]> _keys;

    /// <summary>Creates the ring; every key must be at least <see cref="MinimumKeyBytes"/> long and <paramref name="currentKeyId"/> must be in it.</summary>
    public ApprovalSigningKeys(string currentKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (keyId, key) in keys)
        {
            if (!IsValidKeyId(keyId))
            {
                throw new ArgumentException($"The approval key id '{keyId}' must be 1 to {MaximumKeyIdLength} characters of A-Z, a-z, 0-9, '-' or '_'.", nameof(keys));
            }

            ArgumentNullException.ThrowIfNull(key);
            if (key.Length < MinimumKeyBytes)
            {
                throw new ArgumentException($"The approval key '{keyId}' is {key.Length} bytes; it must be at least {MinimumKeyBytes} random bytes.", nameof(keys));
            }

            // A copy, so the caller cannot change a key after the ring was built.
            _keys[keyId] = key.ToArray();
        }

        if (!_keys.ContainsKey(currentKeyId))
        {
            throw new ArgumentException($"The current approval key id '{currentKeyId}' is not among the keys ({string.Join(", ", _keys.Keys)}).", nameof(currentKeyId));
        }

        CurrentKeyId = currentKeyId;
    }

    /// <summary>The key id new tokens are signed with.</summary>
    public string CurrentKeyId { get; }

    /// <summary>The key ids that verify tokens.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Reads every key named in <paramref name="options"/> from <paramref name="secrets"/>; each secret holds the key as base64.</summary>
    public static async Task<ApprovalSigningKeys> FromSecretsAsync(ISecretProvider secrets, ApprovalSigningKeyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (keyId, secretName) in options.KeySecretNames)
        {
            var value = await secrets.GetSecretAsync(secretName, cancellationToken);
            try
            {
                keys[keyId] = Convert.FromBase64String(value.Trim());
            }
            catch (FormatException)
            {
                // Never quote the value: it is the key.
                throw new ArgumentException($"The secret '{secretName}' (approval key '{keyId}') is not base64; generate one with `openssl rand -base64 32`.", nameof(secrets));
            }
        }

        try
        {
            return new ApprovalSigningKeys(options.CurrentKeyId, keys);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{ex.Message} (secrets: {string.Join(", ", options.KeySecretNames.Select(k => $"{k.Key} = '{k.Value}'"))})", nameof(options), ex);
        }
    }

    /// <summary>The key with that id, or false when the ring does not hold it.</summary>
    internal bool TryGetKey(string keyId, out byte[] key) => _keys.TryGetValue(keyId, out key!);

    internal static bool IsValidKeyId(string? keyId) =>
        !string.IsNullOrEmpty(keyId)
        && keyId.Length <= MaximumKeyIdLength
        && keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
