namespace CloneFlow.Simulator;

/// <summary>The credentials every simulated instance starts with.</summary>
public static class SimulatorDefaults
{
    /// <summary>Default user name.</summary>
    public const string AdminUser = "admin";

    /// <summary>Default password.</summary>
    public const string AdminPassword = "admin";

    /// <summary>Default OAuth client id.</summary>
    public const string OAuthClientId = "cloneflow";

    /// <summary>Default OAuth client secret.</summary>
    public const string OAuthClientSecret = "cloneflow-secret";

    /// <summary>Role that every update-set table and CI/CD call accepts.</summary>
    public const string AdminRole = "admin";

    /// <summary>Role needed for clone requests.</summary>
    public const string CloneAdminRole = "clone_admin";

    /// <summary>Role the CI/CD API accepts besides admin.</summary>
    public const string CicdRole = "sn_cicd.sys_ci_automation";

    /// <summary>The roles of the default user: all of them.</summary>
    public static IReadOnlyList<string> AdminRoles { get; } = [AdminRole, CloneAdminRole, CicdRole, "security_admin"];
}
