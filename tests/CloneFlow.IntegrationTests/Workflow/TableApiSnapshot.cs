using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CloneFlow.Simulator;

namespace CloneFlow.IntegrationTests.Workflow;

/// <summary>
/// What a target holds of developers' work, read as an admin would through the plain Table API (its own HTTP
/// calls, not CloneFlow's client or bookkeeping), as sorted lines so two snapshots compare line by line:
/// in-flight sets with state, parent, application and every update's payload hash; each scoped app in
/// development with version, scope, files, tables, dictionary and rows; the rows of the given tables.
/// </summary>
internal sealed class TableApiSnapshot : IDisposable
{
    private readonly HttpClient _http;

    private TableApiSnapshot(Uri instance)
    {
        _http = new HttpClient { BaseAddress = instance };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{SimulatorDefaults.AdminUser}:{SimulatorDefaults.AdminPassword}")));
    }

    /// <summary>
    /// Reads <paramref name="target"/>. <paramref name="notInFlight"/> are sys_ids of sets left out: those promoted to production and
    /// production's own (the clone brings production's copy). Local sets without updates that are nobody's parent are left out too,
    /// and listed as <c>empty set</c> lines: nothing in them to lose, and the plan says so.
    /// </summary>
    public static async Task<List<string>> TakeAsync(Uri target, IReadOnlySet<string> notInFlight, IReadOnlyList<string> apps, IReadOnlyList<string> tables)
    {
        using var snapshot = new TableApiSnapshot(target);
        return await snapshot.TakeAsync(notInFlight, apps, tables);
    }

    /// <summary>The sys_ids of sets production holds as promoted: committed remote sets record the origin in <c>remote_sys_id</c>.</summary>
    public static async Task<HashSet<string>> PromotedAsync(Uri production)
    {
        using var snapshot = new TableApiSnapshot(production);
        return (await snapshot.RowsAsync("sys_remote_update_set", "state=committed", "remote_sys_id")).Select(r => r["remote_sys_id"]).Where(id => id.Length > 0).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The sys_ids of production's own local sets: after a clone the target has them too, and they are nobody's work in flight.</summary>
    public static async Task<HashSet<string>> LocalSetsAsync(Uri production)
    {
        using var snapshot = new TableApiSnapshot(production);
        return (await snapshot.RowsAsync("sys_update_set", string.Empty, "sys_id")).Select(r => r["sys_id"]).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The sys_ids of apps <paramref name="target"/> has and <paramref name="source"/> lacks.</summary>
    public static async Task<List<string>> AppsOnlyOnAsync(Uri target, Uri source)
    {
        using var onTarget = new TableApiSnapshot(target);
        using var onSource = new TableApiSnapshot(source);
        var there = (await onSource.RowsAsync("sys_app", string.Empty, "sys_id")).Select(r => r["sys_id"]).ToHashSet(StringComparer.Ordinal);
        return (await onTarget.RowsAsync("sys_app", string.Empty, "sys_id")).Select(r => r["sys_id"]).Where(id => !there.Contains(id)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The rows of one table on <paramref name="instance"/>, as snapshot lines.</summary>
    public static async Task<List<string>> RowsOfAsync(Uri instance, string table)
    {
        using var snapshot = new TableApiSnapshot(instance);
        return (await snapshot.TableRowsAsync(table)).ToList();
    }

    public void Dispose() => _http.Dispose();

    private async Task<List<string>> TakeAsync(IReadOnlySet<string> notInFlight, IReadOnlyList<string> apps, IReadOnlyList<string> tables)
    {
        var lines = new List<string>();
        var local = (await RowsAsync("sys_update_set", "stateINin progress,complete^name!=Default", "sys_id,name,state,parent,application")).Where(s => !notInFlight.Contains(s["sys_id"])).ToList();
        var localNames = local.ToDictionary(s => s["sys_id"], s => s["name"], StringComparer.Ordinal);
        var parents = local.Select(s => s["parent"]).ToHashSet(StringComparer.Ordinal);
        foreach (var set in local)
        {
            var updates = (await UpdatesAsync($"update_set={set["sys_id"]}", $"local set {set["name"]}")).ToList();
            if (updates.Count == 0 && !parents.Contains(set["sys_id"]))
            {
                lines.Add($"empty set {set["name"]}");
                continue;
            }

            lines.Add($"local set {set["name"]} | {set["state"]} | parent {NameOr(localNames, set["parent"])} | application {set["application"]}");
            lines.AddRange(updates);
        }

        var remote = await RowsAsync("sys_remote_update_set", "state!=committed", "sys_id,name,state,parent,application");
        var remoteNames = remote.ToDictionary(s => s["sys_id"], s => s["name"], StringComparer.Ordinal);
        foreach (var set in remote)
        {
            lines.Add($"remote set {set["name"]} | {set["state"]} | parent {NameOr(remoteNames, set["parent"])} | application {set["application"]}");
            lines.AddRange(await UpdatesAsync($"remote_update_set={set["sys_id"]}", $"remote set {set["name"]}"));
        }

        foreach (var app in apps)
        {
            var record = (await RowsAsync("sys_app", $"sys_id={app}", "name,scope,version")).SingleOrDefault();
            lines.Add(record is null ? $"app {app} absent" : $"app {app} | {record["name"]} | {record["scope"]} | {record["version"]}");
            lines.Add($"scope {app} rows {(await RowsAsync("sys_scope", $"sys_id={app}", "sys_id")).Count}");
            lines.AddRange((await RowsAsync("sys_metadata", $"sys_scope={app}", "sys_id,sys_class_name,sys_update_name")).Select(f => $"file {app} | {f["sys_class_name"]} | {f["sys_update_name"]} | {f["sys_id"]}"));
            foreach (var table in await RowsAsync("sys_db_object", $"sys_scope={app}", "name"))
            {
                lines.Add($"table {app} | {table["name"]}");
                lines.AddRange((await RowsAsync("sys_dictionary", $"name={table["name"]}", "element,internal_type")).Select(c => $"column {table["name"]}.{c["element"]} | {c["internal_type"]}"));
                lines.AddRange(await TableRowsAsync(table["name"]));
            }
        }

        foreach (var table in tables)
        {
            lines.AddRange(await TableRowsAsync(table));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private async Task<IEnumerable<string>> UpdatesAsync(string query, string owner) =>
        (await RowsAsync("sys_update_xml", query, "name,payload")).Select(u => $"{owner} | update {u["name"]} | {Hash(u["payload"])}");

    /// <summary>Each row by sys_id with a hash of the fields people entered (the sys_ audit fields are the platform's).</summary>
    private async Task<IEnumerable<string>> TableRowsAsync(string table) =>
        (await RowsAsync(table, string.Empty, string.Empty)).Select(r => $"row {table} | {r["sys_id"]} | {Hash(string.Join('\n', r.Where(f => !f.Key.StartsWith("sys_", StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}")))}");

    private async Task<List<Dictionary<string, string>>> RowsAsync(string table, string query, string fields)
    {
        var rows = new List<Dictionary<string, string>>();
        for (var offset = 0; ; offset += 500)
        {
            var url = $"api/now/table/{table}?sysparm_limit=500&sysparm_offset={offset}&sysparm_query={Uri.EscapeDataString(query.Length == 0 ? "ORDERBYsys_id" : query + "^ORDERBYsys_id")}{(fields.Length > 0 ? $"&sysparm_fields={fields}" : string.Empty)}";
            using var response = await _http.GetAsync(url);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var page = json.RootElement.GetProperty("result").EnumerateArray()
                .Select(r => r.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Object ? p.Value.GetProperty("value").GetString() ?? string.Empty : p.Value.GetString() ?? string.Empty, StringComparer.Ordinal))
                .ToList();
            rows.AddRange(page);
            if (page.Count < 500)
            {
                return rows;
            }
        }
    }

    private static string NameOr(Dictionary<string, string> names, string sysId) => sysId.Length == 0 ? "none" : names.GetValueOrDefault(sysId, $"(outside: {sysId})");

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
