namespace CloneFlow.Simulator.Data;

/// <summary>A plugin the simulator knows: its id, name and the tables it brings when activated.</summary>
public sealed record PluginDefinition(string Id, string Name, string Version, IReadOnlyList<string> Tables);

/// <summary>The plugins every simulated instance lists in <c>sys_plugins</c> (active or not), as on a real instance.</summary>
public static class PluginCatalog
{
    /// <summary>CI/CD REST API; active everywhere so the CI/CD endpoints answer.</summary>
    public const string ContinuousDelivery = "com.glide.continuousdelivery";

    /// <summary>Agile development: seeded active only on sub-production targets, so a clone removes it.</summary>
    public const string Agile = "com.snc.sdlc.agile.2.0";

    /// <summary>Major incident management: seeded active on dev only.</summary>
    public const string MajorIncident = "com.snc.incident.mim";

    /// <summary>Vulnerability response: inactive everywhere, for activation tests.</summary>
    public const string Vulnerability = "com.snc.vulnerability";

    /// <summary>The known plugins.</summary>
    public static IReadOnlyList<PluginDefinition> All { get; } =
    [
        new(ContinuousDelivery, "Continuous Integration and Continuous Delivery (CICD) REST API", "1.0.0", []),
        new("com.glide.hub.flow_engine", "Flow Designer", "2.0.0", ["sys_hub_flow", "sys_hub_action_type_definition"]),
        new("com.snc.pa", "Performance Analytics", "1.0.0", ["pa_indicators", "pa_dashboards"]),
        new(Agile, "Agile Development 2.0", "2.0.0", ["rm_story", "rm_epic", "rm_sprint", "scrum_pp_config"]),
        new(MajorIncident, "Major Incident Management", "1.2.0", ["incident_alert", "mim_config"]),
        new(Vulnerability, "Vulnerability Response", "19.0.1", ["sn_vul_vulnerability", "sn_vul_entry"]),
    ];

    /// <summary>Plugins active on a freshly created instance.</summary>
    public static IReadOnlyList<string> ActiveByDefault { get; } = [ContinuousDelivery, "com.glide.hub.flow_engine", "com.snc.pa"];

    /// <summary>The plugin with <paramref name="id"/>, or null.</summary>
    public static PluginDefinition? Find(string id) => All.FirstOrDefault(p => p.Id == id);
}
