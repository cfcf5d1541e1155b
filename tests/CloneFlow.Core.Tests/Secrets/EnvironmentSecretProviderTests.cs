using CloneFlow.Core.Secrets;

namespace CloneFlow.Core.Tests.Secrets;

public class EnvironmentSecretProviderTests
{
    [Theory]
    [InlineData("cloneflow-approval-key", "CLONEFLOW_SECRET_CLONEFLOW_APPROVAL_KEY")]
    [InlineData("servicenow.prod/password", "CLONEFLOW_SECRET_SERVICENOW_PROD_PASSWORD")]
    [InlineData("Teams Webhook 2", "CLONEFLOW_SECRET_TEAMS_WEBHOOK_2")]
    [InlineData("clé", "CLONEFLOW_SECRET_CL_")]
    public void The_variable_name_is_the_upper_case_secret_name_with_non_alphanumerics_as_underscores(string secret, string variable)
    {
        Assert.Equal(variable, EnvironmentSecretProvider.VariableName(secret));
    }

    [Fact]
    public async Task Reads_the_secret_from_its_variable()
    {
        var asked = new List<string>();
        var provider = new EnvironmentSecretProvider(name =>
        {
            asked.Add(name);
            return name == "CLONEFLOW_SECRET_CLONEFLOW_TEAMS_WEBHOOK" ? "https://example.invalid/hook?sig=abc" : null;
        });

        var value = await provider.GetSecretAsync("cloneflow-teams-webhook", CancellationToken.None);

        Assert.Equal("https://example.invalid/hook?sig=abc", value);
        Assert.Equal(["CLONEFLOW_SECRET_CLONEFLOW_TEAMS_WEBHOOK"], asked);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_missing_or_empty_secret_raises_an_error_naming_the_secret_and_its_variable(string? value)
    {
        var provider = new EnvironmentSecretProvider(_ => value);

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(() => provider.GetSecretAsync("cloneflow-approval-key", CancellationToken.None).AsTask());

        Assert.Equal("cloneflow-approval-key", error.SecretName);
        Assert.Contains("'cloneflow-approval-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains("CLONEFLOW_SECRET_CLONEFLOW_APPROVAL_KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_call_reads_nothing()
    {
        var read = false;
        var provider = new EnvironmentSecretProvider(_ =>
        {
            read = true;
            return "value";
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetSecretAsync("x", new CancellationToken(canceled: true)).AsTask());
        Assert.False(read);
    }
}
