using System.Text;
using CloneFlow.Core.Configuration;

namespace CloneFlow.Core.Tests.Configuration;

public class ConfigurationLoaderTests
{
    private const string Valid = """
        {
          // Production is protected: never a target.
          "instances": {
            "prod": { "baseUrl": "https://acme.service-now.com", "protected": true,
                      "auth": { "kind": "basic", "userName": "clone_admin", "passwordSecret": "servicenow-prod-password" } },
            "test": { "baseUrl": "https://acmetest.service-now.com",
                      "auth": { "kind": "oauth-client-credentials", "clientId": "cloneflow", "clientSecretSecret": "servicenow-test-client-secret" } },
            "sim":  { "baseUrl": "http://127.0.0.1:5501", "auth": { "kind": "basic", "userName": "admin", "passwordSecret": "sim" } },
          },
          "targets": {
            "test": {
              "instance": "test", "source": "prod",
              "cloning": { "driver": "table", "profile": "5f0e3c6a1b2c3d4e5f60718293a4b5c6" },
              "approvers": { "default": ["lead@acme.example"], "problems": ["dev.lead@acme.example"] },
              "developers": ["dev@acme.example"],
              "extraTables": [ { "table": "ecc_agent_config", "query": "active=true" } ],
              "postCloneChecks": [ { "name": "E-mail stays off", "property": "glide.email.smtp.active", "expected": "false" } ],
              "schedule": { "cron": "0 2 1 * *", "timeZone": "Europe/Amsterdam" }
            }
          },
          "policies": { "pollInterval": "00:30:00", "emptyUpdateSets": "ignore" }
        }
        """;

    [Fact]
    public async Task A_complete_configuration_loads_with_comments_and_trailing_commas()
    {
        var configuration = await LoadAsync(Valid);

        Assert.True(configuration.Instances["prod"].Protected);
        Assert.Equal("acmetest", configuration.Instances["test"].EffectiveCloneName);
        var target = configuration.Targets["test"];
        Assert.Equal("prod", target.Source);
        Assert.Equal("table", target.Cloning.Driver);
        Assert.Equal(["dev.lead@acme.example"], target.Approvers["problems"]);
        Assert.Equal(TimeSpan.FromMinutes(30), configuration.Policies.PollInterval);
        Assert.Equal("ignore", configuration.Policies.EmptyUpdateSets);
    }

    [Theory]
    [InlineData("\"listen\": \"https://0.0.0.0:7071/\"", "host.listen")]
    [InlineData("\"listen\": \"http://127.0.0.1:7071/cloneflow/\"", "host.listen")]
    [InlineData("\"publicUrl\": \"http://cloneflow.acme.example/\"", "host.publicUrl")]
    [InlineData("\"taskHub\": \"clone-flow\"", "host.taskHub")]
    [InlineData("\"taskHub\": \"cf\"", "host.taskHub")]
    [InlineData("\"keyVaultUri\": \"http://kv.vault.azure.net/\"", "host.keyVaultUri")]
    [InlineData("\"approvalKeySecret\": \"\"", "host.approvalKeySecret")]
    [InlineData("\"mailSender\": \"not-an-address\"", "host.mailSender")]
    public async Task Unusable_local_host_settings_are_named_by_key(string setting, string key)
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync(Valid.Replace("\"policies\":", $"\"host\": {{ {setting} }}, \"policies\":", StringComparison.Ordinal)));

        Assert.Equal(key, Assert.Single(error.Errors).Key);
    }

    [Fact]
    public async Task Local_host_settings_default_to_loopback_and_secrets_by_name()
    {
        var configuration = await LoadAsync(Valid.Replace("\"policies\":", "\"host\": { \"publicUrl\": \"https://cloneflow.acme.example/\", \"storageConnectionSecret\": \"cloneflow-storage\" }, \"policies\":", StringComparison.Ordinal));

        Assert.Equal(new Uri("http://127.0.0.1:7071/"), configuration.Host.Listen);
        Assert.Equal("cloneflow-storage", configuration.Host.StorageConnectionSecret);
        Assert.Equal("cloneflow-approval-key", configuration.Host.ApprovalKeySecret);
        Assert.False(configuration.Host.PrintApprovalLinks);
    }

    [Fact]
    public async Task A_protected_instance_can_never_be_a_target()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync(Valid.Replace("\"instance\": \"test\", \"source\": \"prod\"", "\"instance\": \"prod\", \"source\": \"test\"", StringComparison.Ordinal)));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("targets.test.instance", problem.Key);
        Assert.Contains("protected", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://acmetest.service-now.com", "http://acmetest.service-now.com", "instances.test.baseUrl", "must use https")]
    [InlineData("https://acmetest.service-now.com", "https://acmetest.service-now.com/api", "instances.test.baseUrl", "instance root")]
    [InlineData("\"source\": \"prod\"", "\"source\": \"prd\"", "targets.test.source", "'prd' is not a declared instance")]
    [InlineData("\"driver\": \"table\"", "\"driver\": \"api\"", "targets.test.cloning.driver", "'api' is not one of table, manual")]
    [InlineData("\"clientId\": \"cloneflow\", ", "", "instances.test.auth.clientId", "missing")]
    [InlineData("Europe/Amsterdam", "Mars/Olympus", "targets.test.schedule.timeZone", "not a known time zone")]
    [InlineData("0 2 1 * *", "monthly", "targets.test.schedule.cron", "five-field")]
    [InlineData("[\"lead@acme.example\"]", "[\"lead\"]", "targets.test.approvers.default", "not an e-mail")]
    [InlineData("\"ecc_agent_config\"", "\"ecc agent\"", "targets.test.extraTables[0].table", "not a table name")]
    [InlineData("\"emptyUpdateSets\": \"ignore\"", "\"emptyUpdateSets\": \"maybe\"", "policies.emptyUpdateSets", "'maybe'")]
    public async Task Each_problem_names_its_key(string from, string to, string key, string message)
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync(Valid.Replace(from, to, StringComparison.Ordinal)));

        Assert.Contains(error.Errors, e => e.Key == key && e.Message.Contains(message, StringComparison.Ordinal));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_keys_are_refused_so_typos_do_not_silently_drop_settings()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync(Valid.Replace("\"developers\"", "\"developpers\"", StringComparison.Ordinal)));

        Assert.Contains("developpers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_JSON_names_the_line()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync("{\n  \"instances\": {\n    \"prod\": \n  }\n}"));

        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_is_listed_at_once()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync("""{"instances": {"a": {}}, "targets": {"t": {"instance": "x", "source": "y"}}}"""));

        Assert.True(error.Errors.Count >= 4, string.Join("; ", error.Errors));
        Assert.Contains(error.Errors, e => e.Key == "instances.a.baseUrl");
        Assert.Contains(error.Errors, e => e.Key == "targets.t.instance");
        Assert.Contains(error.Errors, e => e.Key == "targets.t.source");
        Assert.Contains(error.Errors, e => e.Key == "targets.t.approvers");
    }

    private static async Task<CloneFlowConfiguration> LoadAsync(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return await ConfigurationLoader.LoadAsync(stream);
    }
}
