using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using CloneFlow.Core.Approvals;

namespace CloneFlow.Core.Tests.Approvals;

public class ApprovalTokenServiceTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void An_issued_token_validates_to_the_claims_it_was_issued_with()
    {
        var (service, _) = ApprovalTestKeys.Service();

        var token = service.Issue("clone-dev-20261125093000", "plan", 2, "Alice@Contoso.com", Day);
        var result = service.Validate(token.Value);

        Assert.Equal(ApprovalTokenStatus.Valid, result.Status);
        Assert.True(result.IsValid);
        Assert.Equal(token.Claims, result.Claims);
        Assert.Equal(new ApprovalClaims("clone-dev-20261125093000", "plan", 2, "Alice@Contoso.com", ApprovalTestKeys.Now + Day, token.Claims.TokenId), result.Claims);
    }

    [Fact]
    public void The_token_has_the_v1_kid_payload_hmac_shape_with_a_32_byte_signature()
    {
        var (service, _) = ApprovalTestKeys.Service();

        var parts = service.Issue("run-1", "plan", 1, "a@x.com", Day).Value.Split('.');

        Assert.Equal(4, parts.Length);
        Assert.Equal("v1", parts[0]);
        Assert.Equal("k1", parts[1]);
        Assert.Equal(32, Base64Url.DecodeFromChars(parts[3]).Length);
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[2]));
        Assert.Equal("run-1", payload.RootElement.GetProperty("run").GetString());
        Assert.Equal(ApprovalTestKeys.Now.Add(Day).ToUnixTimeSeconds(), payload.RootElement.GetProperty("exp").GetInt64());
    }

    [Fact]
    public void Every_token_gets_its_own_random_token_id()
    {
        var (service, _) = ApprovalTestKeys.Service();

        var ids = Enumerable.Range(0, 200).Select(_ => service.Issue("run-1", "plan", 1, "a@x.com", Day).Claims.TokenId).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Equal(16, Base64Url.DecodeFromChars(id).Length));
    }

    [Fact]
    public void Flipping_any_bit_of_the_payload_or_the_signature_makes_the_token_tampered()
    {
        var (service, _) = ApprovalTestKeys.Service();
        var parts = service.Issue("clone-dev-20261125093000", "plan", 1, "alice@contoso.com", Day).Value.Split('.');
        var flips = 0;

        foreach (var segment in new[] { 2, 3 })
        {
            var bytes = Base64Url.DecodeFromChars(parts[segment]);
            for (var bit = 0; bit < bytes.Length * 8; bit++)
            {
                var changed = bytes.ToArray();
                changed[bit / 8] ^= (byte)(1 << (bit % 8));
                var forged = (string[])parts.Clone();
                forged[segment] = Base64Url.EncodeToString(changed);

                var result = service.Validate(string.Join('.', forged));

                Assert.True(result.Status == ApprovalTokenStatus.Tampered, $"segment {segment} bit {bit}: {result.Status}");
                Assert.Null(result.Claims);
                flips++;
            }
        }

        Assert.True(flips > 256 + 400, $"only {flips} flips tried");
    }

    [Fact]
    public void A_signature_differing_only_in_its_first_or_its_last_byte_is_refused_the_same_way()
    {
        // The comparison must not stop at the first difference; both ends are refused as Tampered
        // (FixedTimeEquals compares every byte; timing itself is not asserted here).
        var (service, _) = ApprovalTestKeys.Service();
        var parts = service.Issue("run-1", "plan", 1, "a@x.com", Day).Value.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[3]);

        var first = signature.ToArray();
        first[0] ^= 0x01;
        var last = signature.ToArray();
        last[^1] ^= 0x80;

        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"{parts[0]}.{parts[1]}.{parts[2]}.{Base64Url.EncodeToString(first)}").Status);
        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"{parts[0]}.{parts[1]}.{parts[2]}.{Base64Url.EncodeToString(last)}").Status);
    }

    [Fact]
    public void A_truncated_or_extended_signature_is_tampered()
    {
        var (service, _) = ApprovalTestKeys.Service();
        var parts = service.Issue("run-1", "plan", 1, "a@x.com", Day).Value.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[3]);

        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"{parts[0]}.{parts[1]}.{parts[2]}.{Base64Url.EncodeToString(signature.AsSpan(0, 31))}").Status);
        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"{parts[0]}.{parts[1]}.{parts[2]}.{Base64Url.EncodeToString([.. signature, 0])}").Status);
    }

    [Fact]
    public void A_token_forged_with_another_key_under_the_same_key_id_is_tampered()
    {
        var (service, _) = ApprovalTestKeys.Service();
        var (forger, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("k1", ("k1", ApprovalTestKeys.NewKey())));

        var forged = forger.Issue("run-1", "plan", 1, "mallory@x.com", Day);

        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate(forged.Value).Status);
    }

    [Fact]
    public void A_token_whose_claims_were_swapped_for_another_runs_is_tampered()
    {
        // Wrong-run attack: keep the signature, put in the payload of a token for another run.
        var (service, _) = ApprovalTestKeys.Service();
        var mine = service.Issue("run-1", "plan", 1, "a@x.com", Day).Value.Split('.');
        var other = service.Issue("run-2", "plan", 1, "a@x.com", Day).Value.Split('.');

        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"{mine[0]}.{mine[1]}.{other[2]}.{mine[3]}").Status);
    }

    [Fact]
    public void A_token_naming_a_key_id_the_ring_does_not_hold_is_unknown_key()
    {
        var (service, _) = ApprovalTestKeys.Service();
        var (other, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("k9", ("k9", ApprovalTestKeys.NewKey())));

        var result = service.Validate(other.Issue("run-1", "plan", 1, "a@x.com", Day).Value);

        Assert.Equal(ApprovalTokenStatus.UnknownKey, result.Status);
        Assert.Null(result.Claims);
    }

    [Fact]
    public void Changing_the_key_id_of_a_genuine_token_to_another_key_in_the_ring_is_tampered()
    {
        var ring = ApprovalTestKeys.Ring("k2", ("k1", ApprovalTestKeys.NewKey()), ("k2", ApprovalTestKeys.NewKey()));
        var (service, _) = ApprovalTestKeys.Service(ring);
        var parts = service.Issue("run-1", "plan", 1, "a@x.com", Day).Value.Split('.');

        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"v1.k1.{parts[2]}.{parts[3]}").Status);
    }

    [Fact]
    public void A_token_is_valid_until_the_second_before_expiry_and_expired_from_then_on()
    {
        var (service, clock) = ApprovalTestKeys.Service();
        var token = service.Issue("run-1", "plan", 1, "a@x.com", TimeSpan.FromMinutes(30));

        clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(ApprovalTokenStatus.Valid, service.Validate(token.Value).Status);

        clock.Advance(TimeSpan.FromSeconds(1));
        var expired = service.Validate(token.Value);
        Assert.Equal(ApprovalTokenStatus.Expired, expired.Status);
        Assert.Null(expired.Claims);
    }

    [Fact]
    public void An_expired_token_that_was_also_changed_is_tampered_not_expired()
    {
        var (service, clock) = ApprovalTestKeys.Service();
        var parts = service.Issue("run-1", "plan", 1, "a@x.com", TimeSpan.FromMinutes(1)).Value.Split('.');
        clock.Advance(TimeSpan.FromHours(1));
        var signature = Base64Url.DecodeFromChars(parts[3]);
        signature[5] ^= 0x10;

        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"{parts[0]}.{parts[1]}.{parts[2]}.{Base64Url.EncodeToString(signature)}").Status);
    }

    [Fact]
    public void Extending_the_expiry_in_the_payload_is_tampered()
    {
        var (service, clock) = ApprovalTestKeys.Service();
        var parts = service.Issue("run-1", "plan", 1, "a@x.com", TimeSpan.FromMinutes(1)).Value.Split('.');
        clock.Advance(TimeSpan.FromHours(1));
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[2]));
        var later = payload.Replace(
            ApprovalTestKeys.Now.AddMinutes(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ApprovalTestKeys.Now.AddDays(7).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            StringComparison.Ordinal);
        Assert.NotEqual(payload, later);

        Assert.Equal(ApprovalTokenStatus.Tampered, service.Validate($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(later))}.{parts[3]}").Status);
    }

    [Fact]
    public void A_token_signed_with_the_old_key_stays_valid_after_rotation_while_the_old_key_is_in_the_ring()
    {
        var oldKey = ApprovalTestKeys.NewKey();
        var newKey = ApprovalTestKeys.NewKey();
        var (before, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("2026-10", ("2026-10", oldKey)));
        var oldToken = before.Issue("run-1", "plan", 1, "a@x.com", Day);

        var (rotated, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("2026-11", ("2026-10", oldKey), ("2026-11", newKey)));
        var newToken = rotated.Issue("run-1", "plan", 1, "b@x.com", Day);
        var (retired, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("2026-11", ("2026-11", newKey)));

        Assert.Equal(ApprovalTokenStatus.Valid, rotated.Validate(oldToken.Value).Status);
        Assert.StartsWith("v1.2026-11.", newToken.Value, StringComparison.Ordinal);
        Assert.Equal(ApprovalTokenStatus.Valid, rotated.Validate(newToken.Value).Status);
        Assert.Equal(ApprovalTokenStatus.UnknownKey, retired.Validate(oldToken.Value).Status);
        Assert.Equal(ApprovalTokenStatus.Valid, retired.Validate(newToken.Value).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("v1.k1.abc")]
    [InlineData("v1.k1.abc.def.ghi")]
    [InlineData("v2.k1.eyJ9.AAAA")]
    [InlineData("v1..eyJ9.AAAA")]
    [InlineData("v1.k/1.eyJ9.AAAA")]
    [InlineData("v1.k1.eyJ9.AA+A")]
    [InlineData("v1.k1.eyJ9.AAAA==")]
    [InlineData("v1.k1..AAAA")]
    public void Text_that_is_not_a_v1_token_is_malformed(string? token)
    {
        var (service, _) = ApprovalTestKeys.Service();

        var result = service.Validate(token);

        Assert.Equal(ApprovalTokenStatus.Malformed, result.Status);
        Assert.Null(result.Claims);
    }

    [Fact]
    public void A_signature_written_with_non_zero_unused_trailing_bits_is_malformed_so_no_two_strings_carry_one_signature()
    {
        var (service, _) = ApprovalTestKeys.Service();
        var token = service.Issue("run-1", "plan", 1, "a@x.com", Day).Value;
        // 32 bytes are 43 base64url characters; the last carries 4 bits and 2 unused ones.
        var last = token[^1];
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var sibling = alphabet[alphabet.IndexOf(last, StringComparison.Ordinal) ^ 0x01];

        Assert.Equal(ApprovalTokenStatus.Malformed, service.Validate(token[..^1] + sibling).Status);
    }

    [Fact]
    public void A_signed_payload_that_lacks_a_claim_is_malformed()
    {
        var key = ApprovalTestKeys.NewKey();
        var (service, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("k1", ("k1", key)));
        var payload = Base64Url.EncodeToString("""{"run":"r","gate":"g","round":1,"exp":99999999999,"jti":"x"}"""u8);
        var signed = $"v1.k1.{payload}";
        var signature = System.Security.Cryptography.HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signed));

        Assert.Equal(ApprovalTokenStatus.Malformed, service.Validate($"{signed}.{Base64Url.EncodeToString(signature)}").Status);
    }

    [Fact]
    public void The_token_record_does_not_print_its_value()
    {
        var (service, _) = ApprovalTestKeys.Service();
        var token = service.Issue("run-1", "plan", 1, "a@x.com", Day);

        Assert.DoesNotContain(token.Value.Split('.')[3], token.ToString(), StringComparison.Ordinal);
        Assert.Contains(token.Claims.TokenId, token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_too_long_to_be_accepted_is_never_issued()
    {
        var (service, _) = ApprovalTestKeys.Service();

        var error = Assert.Throws<ArgumentException>(() => service.Issue(new string('r', 1600), "plan", 1, "a@x.com", Day));
        var longest = service.Issue(new string('r', 1300), "plan", 1, "a@x.com", Day);

        Assert.Contains("limit is 2048", error.Message, StringComparison.Ordinal);
        Assert.True(longest.Value.Length <= ApprovalTokenService.MaximumTokenLength);
        Assert.Equal(ApprovalTokenStatus.Valid, service.Validate(longest.Value).Status);
        Assert.Equal(ApprovalTokenStatus.Malformed, service.Validate(longest.Value + new string('A', ApprovalTokenService.MaximumTokenLength)).Status);
    }

    [Fact]
    public void Issuing_refuses_a_lifetime_under_a_second_and_a_blank_approver()
    {
        var (service, _) = ApprovalTestKeys.Service();

        Assert.Throws<ArgumentOutOfRangeException>(() => service.Issue("run-1", "plan", 1, "a@x.com", TimeSpan.FromMilliseconds(500)));
        Assert.Throws<ArgumentException>(() => service.Issue("run-1", "plan", 1, " ", Day));
    }
}
