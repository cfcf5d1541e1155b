using CloneFlow.Core.Approvals;
using CloneFlow.Core.Secrets;

namespace CloneFlow.Core.Tests.Approvals;

public class ApprovalSigningKeysTests
{
    [Fact]
    public void A_key_shorter_than_32_bytes_is_refused_naming_the_key_id()
    {
        var error = Assert.Throws<ArgumentException>(() => ApprovalTestKeys.Ring("k1", ("k1", new byte[31])));

        Assert.Contains("'k1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("31 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_current_key_id_must_be_in_the_ring()
    {
        var error = Assert.Throws<ArgumentException>(() => ApprovalTestKeys.Ring("k2", ("k1", ApprovalTestKeys.NewKey())));

        Assert.Contains("'k2'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k.1")]
    [InlineData("")]
    [InlineData("key id")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void A_key_id_that_cannot_travel_in_a_token_is_refused(string keyId)
    {
        Assert.Throws<ArgumentException>(() => ApprovalTestKeys.Ring(keyId, (keyId, ApprovalTestKeys.NewKey())));
    }

    [Fact]
    public void Changing_the_callers_key_array_after_building_the_ring_does_not_change_the_key()
    {
        var key = ApprovalTestKeys.NewKey();
        var (service, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("k1", ("k1", key)));
        var token = service.Issue("run-1", "plan", 1, "a@x.com", TimeSpan.FromHours(1));

        key[0] ^= 0xFF;

        Assert.Equal(ApprovalTokenStatus.Valid, service.Validate(token.Value).Status);
    }

    [Fact]
    public async Task The_ring_is_built_from_base64_secrets_named_in_the_options()
    {
        var oldKey = ApprovalTestKeys.NewKey();
        var newKey = ApprovalTestKeys.NewKey();
        var secrets = new EnvironmentSecretProvider(name => name switch
        {
            "CLONEFLOW_SECRET_APPROVAL_KEY_OLD" => Convert.ToBase64String(oldKey),
            "CLONEFLOW_SECRET_APPROVAL_KEY_NEW" => Convert.ToBase64String(newKey) + "\n",
            _ => null,
        });
        var options = new ApprovalSigningKeyOptions
        {
            CurrentKeyId = "new",
            KeySecretNames = new Dictionary<string, string> { ["old"] = "approval-key-old", ["new"] = "approval-key-new" },
        };

        var ring = await ApprovalSigningKeys.FromSecretsAsync(secrets, options, CancellationToken.None);
        var (byOldKey, _) = ApprovalTestKeys.Service(ApprovalTestKeys.Ring("old", ("old", oldKey)));
        var (service, _) = ApprovalTestKeys.Service(ring);

        Assert.Equal("new", ring.CurrentKeyId);
        Assert.Equal(["new", "old"], ring.KeyIds.Order(StringComparer.Ordinal));
        Assert.Equal(ApprovalTokenStatus.Valid, service.Validate(byOldKey.Issue("run-1", "plan", 1, "a@x.com", TimeSpan.FromHours(1)).Value).Status);
    }

    [Fact]
    public async Task A_secret_that_is_not_base64_is_refused_naming_the_secret_but_not_its_value()
    {
        const string value = "correct horse battery staple, not base64!";
        var secrets = new EnvironmentSecretProvider(_ => value);
        var options = new ApprovalSigningKeyOptions { CurrentKeyId = "k1", KeySecretNames = new Dictionary<string, string> { ["k1"] = "cloneflow-approval-key" } };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ApprovalSigningKeys.FromSecretsAsync(secrets, options, CancellationToken.None));

        Assert.Contains("'cloneflow-approval-key'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_key_from_a_secret_is_refused_naming_its_secret()
    {
        var secrets = new EnvironmentSecretProvider(_ => Convert.ToBase64String(new byte[16]));
        var options = new ApprovalSigningKeyOptions { CurrentKeyId = "k1", KeySecretNames = new Dictionary<string, string> { ["k1"] = "cloneflow-approval-key" } };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ApprovalSigningKeys.FromSecretsAsync(secrets, options, CancellationToken.None));

        Assert.Contains("16 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("'cloneflow-approval-key'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_key_secret_surfaces_as_secret_not_found()
    {
        var options = new ApprovalSigningKeyOptions { CurrentKeyId = "k1", KeySecretNames = new Dictionary<string, string> { ["k1"] = "cloneflow-approval-key" } };

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(() => ApprovalSigningKeys.FromSecretsAsync(new EnvironmentSecretProvider(_ => null), options, CancellationToken.None));

        Assert.Equal("cloneflow-approval-key", error.SecretName);
    }
}
