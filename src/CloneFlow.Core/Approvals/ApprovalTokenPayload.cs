using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace CloneFlow.Core.Approvals;

/// <summary>The JSON inside a token: short names, because the token rides in a URL.</summary>
internal static class ApprovalTokenPayload
{
    private const string Run = "run";
    private const string Gate = "gate";
    private const string Round = "round";
    private const string Approver = "sub";
    private const string Expires = "exp";
    private const string TokenId = "jti";

    public static byte[] Write(ApprovalClaims claims)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(Run, claims.RunId);
            json.WriteString(Gate, claims.Gate);
            json.WriteNumber(Round, claims.Round);
            json.WriteString(Approver, claims.Approver);
            json.WriteNumber(Expires, claims.ExpiresAt.ToUnixTimeSeconds());
            json.WriteString(TokenId, claims.TokenId);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static bool TryRead(byte[] payload, [NotNullWhen(true)] out ApprovalClaims? claims)
    {
        claims = null;
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !TryGetString(root, Run, out var run)
                || !TryGetString(root, Gate, out var gate)
                || !root.TryGetProperty(Round, out var round) || !round.TryGetInt32(out var roundNumber)
                || !TryGetString(root, Approver, out var approver)
                || !root.TryGetProperty(Expires, out var expires) || !expires.TryGetInt64(out var expiresSeconds)
                || !TryGetString(root, TokenId, out var tokenId))
            {
                return false;
            }

            claims = new ApprovalClaims(run, gate, roundNumber, approver, DateTimeOffset.FromUnixTimeSeconds(expiresSeconds), tokenId);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool TryGetString(JsonElement root, string name, [NotNullWhen(true)] out string? value)
    {
        value = root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return !string.IsNullOrEmpty(value);
    }
}
