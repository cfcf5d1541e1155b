using CloneFlow.Core.Configuration;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>
/// The configuration the scenario tests and the benchmarks run with: simulator prod (protected) and
/// test, target test with one approver, the extra table and a post-clone check, and policies whose
/// polls and timeouts suit a simulator clock hundreds of times faster than real time.
/// </summary>
internal static class SimulatedConfiguration
{
    /// <summary>Policies for an accelerated simulator clock.</summary>
    public static PolicyConfiguration FastPolicies { get; } = new()
    {
        PollInterval = TimeSpan.FromSeconds(1),
        MaxPollInterval = TimeSpan.FromSeconds(2),
        JobPollInterval = TimeSpan.FromMilliseconds(300),
        ReminderAfter = TimeSpan.FromMinutes(10),
        EscalateAfter = TimeSpan.FromMinutes(20),
        ApprovalTimeout = TimeSpan.FromMinutes(30),
        CloneTimeout = TimeSpan.FromMinutes(5),
        RestartTimeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>The validated configuration for the simulator's <paramref name="instances"/> (prod and test by name); basic auth admin, passwords from the secret provider.</summary>
    public static CloneFlowConfiguration Create(IReadOnlyDictionary<string, Uri> instances, string approver, string developer, PolicyConfiguration? policies = null) =>
        ConfigurationValidator.EnsureValid(new CloneFlowConfiguration
        {
            Instances = new Dictionary<string, InstanceConfiguration>
            {
                ["prod"] = new() { BaseUrl = instances["prod"], Protected = true, CloneName = "prod", Auth = new() { Kind = "basic", UserName = "admin", PasswordSecret = "servicenow-prod-password" } },
                ["test"] = new() { BaseUrl = instances["test"], CloneName = "test", Auth = new() { Kind = "basic", UserName = "admin", PasswordSecret = "servicenow-test-password" } },
            },
            Targets = new Dictionary<string, TargetConfiguration>
            {
                ["test"] = new()
                {
                    Instance = "test",
                    Source = "prod",
                    Approvers = new Dictionary<string, IReadOnlyList<string>> { ["default"] = [approver] },
                    Developers = [developer],
                    ExtraTables = [new() { Table = "ecc_agent", Query = string.Empty }],
                    PostCloneChecks = [new() { Name = "E-mail stays off", Property = "glide.email.smtp.active", Expected = "false" }],
                },
            },
            Policies = policies ?? FastPolicies,
        });
}
