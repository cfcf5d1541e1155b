namespace CloneFlow.Simulator.Http;

/// <summary>The authenticated caller of an API call and its roles.</summary>
internal sealed record Principal(string UserName, string SysId, IReadOnlySet<string> Roles)
{
    /// <summary>True when the user has the role; admin passes every role check, as on ServiceNow.</summary>
    public bool Has(string role) => Roles.Contains(role) || Roles.Contains(SimulatorDefaults.AdminRole);
}
