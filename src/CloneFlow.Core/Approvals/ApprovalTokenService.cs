using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CloneFlow.Core.Approvals;

/// <summary>
/// Issues and checks approval tokens: <c>v1.&lt;kid&gt;.&lt;base64url payload&gt;.&lt;base64url HMAC-SHA256&gt;</c>,
/// where the HMAC covers everything before the last dot (version, key id and payload) and the
/// payload is JSON with the run, gate, round, approver, expiry and a random token id. Checking
/// never says more than the status: a refused token yields no claims.
/// </summary>
public sealed class ApprovalTokenService
{
    /// <summary>The format version, the token's first segment.</summary>
    public const string Version = "v1";

    /// <summary>The longest token issued or accepted; tokens travel in URLs, and longer text is refused before any work.</summary>
    public const int MaximumTokenLength = 2048;
    private const int SignatureBytes = 32;
    private const int TokenIdBytes = 16;

    private readonly ApprovalSigningKeys _keys;
    private readonly TimeProvider _time;

    /// <summary>Creates the service over a key ring and a clock.</summary>
    public ApprovalTokenService(ApprovalSigningKeys keys, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _keys = keys;
        _time = timeProvider;
    }

    /// <summary>Issues a token for one decision by <paramref name="approver"/> on a gate's round, valid for <paramref name="lifetime"/> (whole seconds).</summary>
    public ApprovalToken Issue(string runId, string gate, int round, string approver, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(gate);
        ArgumentException.ThrowIfNullOrWhiteSpace(approver);
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.FromSeconds(1));

        var expires = DateTimeOffset.FromUnixTimeSeconds((_time.GetUtcNow() + lifetime).ToUnixTimeSeconds());
        var claims = new ApprovalClaims(runId, gate, round, approver.Trim(), expires, Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenIdBytes)));
        var signedPart = $"{Version}.{_keys.CurrentKeyId}.{Base64Url.EncodeToString(ApprovalTokenPayload.Write(claims))}";
        _keys.TryGetKey(_keys.CurrentKeyId, out var key);
        var signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signedPart));
        var value = $"{signedPart}.{Base64Url.EncodeToString(signature)}";

        // Validate refuses anything longer, so issuing it would hand out a link that can never work.
        if (value.Length > MaximumTokenLength)
        {
            throw new ArgumentException($"An approval token for run '{runId}', gate '{gate}' would be {value.Length} characters; the limit is {MaximumTokenLength}. Use shorter run ids, gate names or addresses.", nameof(runId));
        }

        return new ApprovalToken(value, claims);
    }

    /// <summary>Checks a token's shape, key, signature (in constant time) and expiry, in that order.</summary>
    public ApprovalTokenValidation Validate(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaximumTokenLength)
        {
            return ApprovalTokenValidation.Refused(ApprovalTokenStatus.Malformed);
        }

        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Version || !ApprovalSigningKeys.IsValidKeyId(parts[1])
            || !TryDecodeCanonical(parts[2], out var payload) || !TryDecodeCanonical(parts[3], out var signature))
        {
            return ApprovalTokenValidation.Refused(ApprovalTokenStatus.Malformed);
        }

        if (!_keys.TryGetKey(parts[1], out var key))
        {
            return ApprovalTokenValidation.Refused(ApprovalTokenStatus.UnknownKey);
        }

        var signedLength = parts[0].Length + 1 + parts[1].Length + 1 + parts[2].Length;
        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(token, 0, signedLength));

        // Constant time: how many leading bytes match must not show in how long the refusal takes.
        if (signature.Length != SignatureBytes || !CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return ApprovalTokenValidation.Refused(ApprovalTokenStatus.Tampered);
        }

        // Only signed payloads are parsed; one we signed but cannot read is still not a token we accept.
        if (!ApprovalTokenPayload.TryRead(payload, out var claims))
        {
            return ApprovalTokenValidation.Refused(ApprovalTokenStatus.Malformed);
        }

        return _time.GetUtcNow() >= claims.ExpiresAt
            ? ApprovalTokenValidation.Refused(ApprovalTokenStatus.Expired)
            : ApprovalTokenValidation.Valid(claims);
    }

    /// <summary>
    /// Decodes base64url and insists the text is the one encoding of its bytes, so no two token
    /// strings carry the same signature (unused trailing bits or padding would allow that).
    /// </summary>
    private static bool TryDecodeCanonical(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || !Base64Url.IsValid(text.AsSpan(), out _))
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        return string.Equals(Base64Url.EncodeToString(bytes), text, StringComparison.Ordinal);
    }
}
