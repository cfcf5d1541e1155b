using System.Globalization;
using CloneFlow.Simulator.Cicd;
using CloneFlow.Simulator.Clones;
using CloneFlow.Simulator.Data;
using CloneFlow.Simulator.Faults;
using CloneFlow.Simulator.SourceControl;

namespace CloneFlow.Simulator;

/// <summary>
/// One simulated ServiceNow instance: its tables, users, plugins, clone requests, CI/CD jobs and faults.
/// Tests use the members here to arrange and inspect state directly; every member is thread safe.
/// </summary>
public sealed class SimulatedInstance
{
    /// <summary>Property that lets an instance be a clone target.</summary>
    public const string AllowCloneTargetProperty = "glide.db.clone.allow_clone_target";

    /// <summary>Property that enables the OAuth client-credentials grant.</summary>
    public const string ClientCredentialsProperty = "glide.oauth.inbound.client.credential.grant_type.enabled";

    /// <summary>Tables every instance has, whatever its plugins.</summary>
    internal static readonly string[] PlatformTables =
    [
        "sys_db_object", "sys_metadata", "sys_scope", "sys_app", "sys_store_app", "sys_plugins", "v_plugin", "sys_update_set", "sys_update_xml",
        "sys_remote_update_set", "sys_update_set_source", "sys_update_preview_problem", "sys_update_preview_xml", "sys_properties",
        "sys_user", "sys_user_role", "sys_user_has_role", "oauth_entity", "sys_rate_limit_rules", "sn_instance_clone_request",
        "clone_profile", "clone_data_preserver", "clone_data_exclude", "ecc_agent", "sys_email", "syslog", "sys_script_include",
        "sys_script", "sys_ui_action", "sys_ui_policy", "sys_data_source",
        // Common metadata tables update-set payloads target (from real exports), so they preview without false missing objects.
        "sys_processor", "sys_dictionary", "sys_documentation", "sys_choice", "sys_ui_list", "sys_ui_section", "sys_ui_element", "sys_ui_form",
        "sys_ui_page", "sys_ui_script", "sys_script_client", "sys_script_fix", "sysauto_script", "sys_app_application", "sys_app_module",
        "sys_number", "sys_report", "sys_report_users_groups", "sys_scope_privilege", "sys_security_acl", "sys_security_acl_role",
        "sys_transform_map", "sys_transform_entry", "sysevent_email_action", "sysevent_email_template", "sys_email_layout",
        "sys_package_dependency_m2m", "ua_table_licensing_config", "sys_kmf_module_crypto_spec", "sys_kmf_module_key_policy",
        "sys_user_group", "sys_rest_message", "sys_ws_definition", "sys_ws_operation", "sp_widget", "sp_page", "sys_attachment",
        "sys_attachment_doc", "sys_audit", "task", "incident", "problem", "change_request",
        // Studio's source-control integration: one row per app linked to a Git repository.
        SourceControlEngine.RepoConfigTable,
    ];

    private readonly SimulatorWorld _world;
    private readonly SimulatorInstanceOptions _options;
    private Dictionary<string, Table> _tables = new(StringComparer.Ordinal);
    private Random _ids;
    private FaultSettings _faults = new();
    private CloneFaults _cloneFaults = new();
    private int _rateLimitPerHour;
    private DateTimeOffset? _restartingUntil;
    private long _apiCalls;

    internal SimulatedInstance(SimulatorWorld world, SimulatorInstanceOptions options, int index)
    {
        _world = world;
        _options = options;
        Name = options.Name;
        Index = index;
        _ids = new Random(StableSeed(world.Options.Seed ?? 0, Name));
        Random = new Random(StableSeed((world.Options.Seed ?? 0) + 17, Name));
        Tokens = new TokenStore();
        Cicd = new CicdEngine(this);
        Clones = new CloneEngine(this);
        SourceControl = new SourceControlEngine(this);
        RateLimiter = new RateLimiter(this);
        _rateLimitPerHour = world.Options.RateLimitPerHour;
        _faults = new FaultSettings { LatencyMs = world.Options.LatencyMs, ErrorRate = world.Options.ErrorRate };
        PasswordGrantEnabled = options.PasswordGrantEnabled;
        CreatePlatform();
    }

    /// <summary>The instance name (e.g. "test").</summary>
    public string Name { get; }

    /// <summary>True for production: never a clone target.</summary>
    public bool IsProduction => _options.IsProduction;

    /// <summary>The loopback base URL the instance listens on (set once the host has started).</summary>
    public Uri? BaseUrl { get; internal set; }

    /// <summary>The simulator clock (shared by all instances).</summary>
    public ISimulatorClock Clock => _world.Clock;

    /// <summary>Latency, error-rate and connection faults applied to every API call (replace the whole object to change them).</summary>
    public FaultSettings Faults
    {
        get => Volatile.Read(ref _faults);
        set => Volatile.Write(ref _faults, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Clone faults injected on this (source) instance: hold or fail a clone when it reaches a phase.</summary>
    public CloneFaults CloneFaults
    {
        get => Volatile.Read(ref _cloneFaults);
        set => Volatile.Write(ref _cloneFaults, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>API calls allowed per user per simulated hour (0 = no limit).</summary>
    public int RateLimitPerHour
    {
        get => Volatile.Read(ref _rateLimitPerHour);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _rateLimitPerHour, value);
            lock (Gate)
            {
                var rule = Data("sys_rate_limit_rules").Get(RateLimiter.RuleSysId);
                if (rule is not null)
                {
                    var changed = new Dictionary<string, string>(rule, StringComparer.Ordinal)
                    {
                        ["rate_limit"] = value.ToString(CultureInfo.InvariantCulture),
                        ["active"] = value > 0 ? "true" : "false",
                    };
                    Data("sys_rate_limit_rules").Put(changed);
                }
            }
        }
    }

    /// <summary>API calls answered or refused so far (not the control surface): what a client's paging costs the instance.</summary>
    public long ApiCalls => Interlocked.Read(ref _apiCalls);

    internal void CountApiCall() => Interlocked.Increment(ref _apiCalls);

    /// <summary>When each recent API call arrived and was answered (wall clock).</summary>
    internal Http.CallLog Calls { get; } = new();

    /// <summary>The API calls that arrived from <paramref name="from"/> to <paramref name="to"/> (wall clock), answered ones only.</summary>
    public Http.CallSummary CallsBetween(DateTimeOffset from, DateTimeOffset to) => Calls.Between(from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());

    /// <summary>Whether the OAuth password grant is allowed (hardened instances turn it off).</summary>
    public bool PasswordGrantEnabled { get; set; }

    /// <summary>Until when the instance answers 503 because it is restarting (after a clone), or null.</summary>
    public DateTimeOffset? RestartingUntil
    {
        get
        {
            lock (Gate)
            {
                return _restartingUntil is { } until && until > Clock.UtcNow ? until : null;
            }
        }
    }

    internal int Index { get; }

    internal SimulatorWorld World => _world;

    internal Lock Gate => _world.Gate;

    internal Random Random { get; }

    internal TokenStore Tokens { get; }

    internal CicdEngine Cicd { get; }

    internal CloneEngine Clones { get; }

    internal SourceControlEngine SourceControl { get; }

    internal RateLimiter RateLimiter { get; }

    internal SchemaCatalog Schemas => _world.Schemas;

    /// <summary>The rows of <paramref name="table"/> matching an optional encoded query, in table order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> GetRecords(string table, string? encodedQuery = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        lock (Gate)
        {
            return Query(table, encodedQuery).ToList();
        }
    }

    /// <summary>One row by sys_id, or null.</summary>
    public IReadOnlyDictionary<string, string>? GetRecord(string table, string sysId)
    {
        lock (Gate)
        {
            return _tables.TryGetValue(table, out var data) ? data.Get(sysId) : null;
        }
    }

    /// <summary>The number of rows in <paramref name="table"/>.</summary>
    public int Count(string table)
    {
        lock (Gate)
        {
            return _tables.TryGetValue(table, out var data) ? data.Count : 0;
        }
    }

    /// <summary>Stores a row as given (system fields filled in when missing), learning its fields; returns its sys_id.</summary>
    public string InsertRecord(string table, IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        lock (Gate)
        {
            return PutRaw(table, fields)["sys_id"];
        }
    }

    /// <summary>
    /// What a person does in the Clone Admin Console of this (source) instance: requests a clone of it
    /// over <paramref name="target"/>, with the same rules as any request (one open clone per target, an
    /// allowed target, an existing profile). Returns the request number, or throws with the refusal.
    /// </summary>
    public string RequestCloneInConsole(string target, string? profile = null, string user = "admin")
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["source_instance"] = Name, ["target_instance"] = target, ["profile"] = profile ?? string.Empty };
        lock (Gate)
        {
            var result = CloneFlow.Simulator.Data.RecordWriter.Insert(this, CloneFlow.Simulator.Clones.CloneEngine.RequestTable, fields, user);
            return result.Row?["number"] ?? throw new InvalidOperationException(result.Detail ?? "the console refused the clone request");
        }
    }

    /// <summary>Changes fields of a stored row as given (no business rules); false when the row does not exist.</summary>
    public bool UpdateRecord(string table, string sysId, IReadOnlyDictionary<string, string> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (Gate)
        {
            var row = Data(table).Get(sysId);
            if (row is null)
            {
                return false;
            }

            var merged = new Dictionary<string, string>(row, StringComparer.Ordinal);
            foreach (var (key, value) in changes)
            {
                merged[key] = value;
            }

            Schemas.Learn(table, changes.Keys);
            Store(table, merged);
            return true;
        }
    }

    /// <summary>Deletes a row; false when it did not exist.</summary>
    public bool DeleteRecord(string table, string sysId)
    {
        lock (Gate)
        {
            return Erase(table, sysId);
        }
    }

    /// <summary>True when the table exists here (it has a <c>sys_db_object</c> row).</summary>
    public bool TableExists(string table)
    {
        lock (Gate)
        {
            return TableExistsCore(table);
        }
    }

    /// <summary>Creates a table (its <c>sys_db_object</c> row) as if a plugin or an application brought it.</summary>
    public void CreateTable(string table, string package = "global")
    {
        lock (Gate)
        {
            CreateTableCore(table, package);
        }
    }

    /// <summary>A system property's value, or null when the property does not exist.</summary>
    public string? GetProperty(string name)
    {
        lock (Gate)
        {
            return GetPropertyCore(name);
        }
    }

    /// <summary>Creates or changes a system property.</summary>
    public void SetProperty(string name, string value)
    {
        lock (Gate)
        {
            SetPropertyCore(name, value);
        }
    }

    /// <summary>Creates a user with a password and roles (roles are created when missing); returns the user's sys_id.</summary>
    public string AddUser(string userName, string password, params string[] roles)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentNullException.ThrowIfNull(roles);
        lock (Gate)
        {
            return AddUserCore(userName, password, roles);
        }
    }

    /// <summary>True when the plugin is active here.</summary>
    public bool IsPluginActive(string pluginId)
    {
        lock (Gate)
        {
            return Data("sys_plugins").Rows().Any(p => p["source"] == pluginId && p.GetValueOrDefault("active") == "active");
        }
    }

    /// <summary>Activates or deactivates a plugin at once, creating or dropping its tables.</summary>
    public void SetPluginActive(string pluginId, bool active)
    {
        lock (Gate)
        {
            SetPluginActiveCore(pluginId, active);
        }
    }

    /// <summary>
    /// What Studio's "Link to source control" does for the application with scope <paramref name="scope"/>: a
    /// <c>sys_repo_config</c> row (<c>sys_app</c>, <c>url</c>, <c>branch</c>) and a first commit of the app's files to the
    /// simulator's Git store. Refused on production and for an app already linked. Returns the <c>sys_repo_config</c> sys_id.
    /// </summary>
    public string LinkToSourceControl(string scope, string url, string branch = "main", string user = "admin")
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        lock (Gate)
        {
            return SourceControl.Link(scope, url, branch, user);
        }
    }

    /// <summary>What Studio's "Commit changes" does: commits the linked app's files as they are now; returns the commit id.</summary>
    public string CommitToSourceControl(string scope, string message = "Commit changes", string user = "admin")
    {
        lock (Gate)
        {
            return SourceControl.Commit(AppSysIdCore(scope), message, user);
        }
    }

    /// <summary>Lets a clone held by <see cref="CloneFaults"/> carry on; false when no such held clone exists.</summary>
    public bool ResumeClone(string number)
    {
        lock (Gate)
        {
            return Clones.Resume(number, Clock.UtcNow);
        }
    }

    /// <summary>Makes the instance answer 503 for <paramref name="duration"/> of simulated time.</summary>
    public void BeginRestart(TimeSpan duration)
    {
        lock (Gate)
        {
            _restartingUntil = Clock.UtcNow + duration;
        }
    }

    /// <summary>
    /// Makes every API call answer 503 with Retry-After for <paramref name="duration"/> of real time, or
    /// until <see cref="EndOutage"/> when null (an instance down for maintenance, not a clone restart).
    /// </summary>
    public void BeginOutage(TimeSpan? duration = null)
    {
        var until = duration is { } d ? DateTimeOffset.UtcNow + d : DateTimeOffset.MaxValue;
        lock (Random)
        {
            Faults = Faults with { UnavailableUntil = until };
        }
    }

    /// <summary>Ends an outage begun with <see cref="BeginOutage"/>; the other faults stay as they are.</summary>
    public void EndOutage()
    {
        lock (Random)
        {
            Faults = Faults with { UnavailableUntil = null };
        }
    }

    /// <summary>Drops every row and recreates the platform baseline (admin user, plugins, properties).</summary>
    public void Reset()
    {
        lock (Gate)
        {
            _tables = new Dictionary<string, Table>(StringComparer.Ordinal);
            _restartingUntil = null;
            Tokens.Clear();
            Cicd.Clear();
            Clones.Clear();
            SourceControl.Clear();
            CreatePlatform();
        }
    }

    // ---- internal operations; callers hold Gate ----

    internal Table Data(string table)
    {
        if (!_tables.TryGetValue(table, out var data))
        {
            data = new Table(table);
            _tables[table] = data;
        }

        return data;
    }

    internal IReadOnlyDictionary<string, Table> AllTables => _tables;

    internal void RestartUntilCore(DateTimeOffset until) => _restartingUntil = until;

    internal bool IsRestartingCore(DateTimeOffset now) => _restartingUntil is { } until && until > now;

    internal void ReplaceTables(Dictionary<string, Table> tables) => _tables = tables;

    internal string NewSysId() => SysIds.New(_ids);

    /// <summary>The sys_id of the application (<c>sys_app</c>) with that scope, or the scope itself when it is a sys_id.</summary>
    internal string AppSysIdCore(string scopeOrSysId) =>
        Data("sys_app").Rows().FirstOrDefault(a => a.GetValueOrDefault("scope") == scopeOrSysId)?["sys_id"]
        ?? (Data("sys_app").Contains(scopeOrSysId) ? scopeOrSysId : throw new InvalidOperationException($"No application with scope '{scopeOrSysId}' on {Name}."));

    internal void ReseedIds(int seed) => _ids = new Random(StableSeed(seed, Name));

    internal bool TableExistsCore(string table) =>
        _tables.TryGetValue("sys_db_object", out var objects) && objects.Rows().Any(r => r.GetValueOrDefault("name") == table);

    internal void CreateTableCore(string table, string package)
    {
        if (TableExistsCore(table))
        {
            return;
        }

        PutRaw("sys_db_object", new Dictionary<string, string>
        {
            ["sys_id"] = SysIds.Stable("sys_db_object:" + table),
            ["name"] = table,
            ["label"] = table,
            ["sys_package"] = package,
            ["is_extendable"] = "false",
            ["access"] = "public",
        });
    }

    internal void DropTableCore(string table)
    {
        foreach (var row in Data("sys_db_object").Rows().Where(r => r.GetValueOrDefault("name") == table).ToList())
        {
            Erase("sys_db_object", row["sys_id"]);
        }

        _tables.Remove(table);
    }

    internal void SetPluginActiveCore(string pluginId, bool active)
    {
        var plugin = PluginCatalog.Find(pluginId) ?? throw new ArgumentException($"Unknown plugin '{pluginId}'.", nameof(pluginId));
        var row = Data("sys_plugins").Rows().FirstOrDefault(p => p["source"] == pluginId);
        if (row is not null)
        {
            var changed = new Dictionary<string, string>(row, StringComparer.Ordinal)
            {
                ["active"] = active ? "active" : "inactive",
                ["sys_updated_on"] = SnTime.Text(Clock.UtcNow),
            };
            Data("sys_plugins").Put(changed);
        }

        foreach (var table in plugin.Tables)
        {
            if (active)
            {
                CreateTableCore(table, pluginId);
            }
            else
            {
                DropTableCore(table);
            }
        }
    }

    internal string? GetPropertyCore(string name) =>
        Data("sys_properties").Rows().FirstOrDefault(p => p.GetValueOrDefault("name") == name)?.GetValueOrDefault("value");

    internal void SetPropertyCore(string name, string value)
    {
        var row = Data("sys_properties").Rows().FirstOrDefault(p => p.GetValueOrDefault("name") == name);
        var fields = row is null
            ? new Dictionary<string, string> { ["sys_id"] = SysIds.Stable("sys_properties:" + name), ["name"] = name, ["type"] = "string" }
            : new Dictionary<string, string>(row, StringComparer.Ordinal);
        fields["value"] = value;
        fields["sys_updated_on"] = SnTime.Text(Clock.UtcNow);
        PutRaw("sys_properties", fields);
    }

    internal string AddUserCore(string userName, string password, IEnumerable<string> roles)
    {
        var userId = SysIds.Stable("sys_user:" + userName);
        PutRaw("sys_user", new Dictionary<string, string>
        {
            ["sys_id"] = userId,
            ["user_name"] = userName,
            ["name"] = userName,
            ["first_name"] = userName,
            ["last_name"] = string.Empty,
            ["email"] = userName + "@example.com",
            ["active"] = "true",
            ["locked_out"] = "false",
            ["web_service_access_only"] = "false",
            ["user_password"] = password,
        });
        foreach (var role in roles)
        {
            var roleId = SysIds.Stable("sys_user_role:" + role);
            if (!Data("sys_user_role").Contains(roleId))
            {
                PutRaw("sys_user_role", new Dictionary<string, string> { ["sys_id"] = roleId, ["name"] = role, ["description"] = role });
            }

            PutRaw("sys_user_has_role", new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.Stable("sys_user_has_role:" + userName + ":" + role),
                ["user"] = userId,
                ["role"] = roleId,
                ["state"] = "active",
                ["inherited"] = "false",
            });
        }

        return userId;
    }

    /// <summary>The active user with that name and password, or null.</summary>
    internal IReadOnlyDictionary<string, string>? FindUser(string userName) =>
        Data("sys_user").Rows().FirstOrDefault(u => u.GetValueOrDefault("user_name") == userName && u.GetValueOrDefault("active") == "true");

    internal HashSet<string> RolesOf(string userSysId)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in Data("sys_user_has_role").Rows())
        {
            if (link.GetValueOrDefault("user") == userSysId && link.GetValueOrDefault("state", "active") == "active"
                && Data("sys_user_role").Get(link.GetValueOrDefault("role", string.Empty)) is { } role)
            {
                roles.Add(role.GetValueOrDefault("name", string.Empty));
            }
        }

        return roles;
    }

    /// <summary>Rows of a table matching an encoded query (unknown fields dropped), sorted by its ORDERBY terms.</summary>
    internal IEnumerable<IReadOnlyDictionary<string, string>> Query(string table, string? encodedQuery)
    {
        if (!_tables.TryGetValue(table, out var data))
        {
            return [];
        }

        var schema = Schemas.Get(table);
        var query = EncodedQuery.Parse(encodedQuery).Bind(path => IsKnownPath(schema, path));
        var rows = query.Groups.Count == 0 ? data.Rows() : Candidates(data, query).Where(r => query.Matches(r, (row, path) => ValueOf(schema, row, path)));
        if (query.Order.Count == 0)
        {
            return rows;
        }

        IOrderedEnumerable<IReadOnlyDictionary<string, string>>? ordered = null;
        foreach (var (field, descending) in query.Order)
        {
            var comparer = Comparer<string>.Create(EncodedQuery.ComparisonFor(field));
            string Key(IReadOnlyDictionary<string, string> r) => ValueOf(schema, r, field);
            ordered = ordered is null
                ? descending ? rows.OrderByDescending(Key, comparer) : rows.OrderBy(Key, comparer)
                : descending ? ordered.ThenByDescending(Key, comparer) : ordered.ThenBy(Key, comparer);
        }

        return ordered!;
    }

    /// <summary>
    /// The rows a query can match, in table order: with one OR'ed query holding a clause that is a single
    /// <c>=</c> or <c>IN</c> on a plain field, only the rows the table's index gives for it (a superset
    /// of the matches, which the caller still tests against the whole query); otherwise every row.
    /// </summary>
    private static IEnumerable<IReadOnlyDictionary<string, string>> Candidates(Table data, EncodedQuery query)
    {
        if (query.Groups.Count == 1)
        {
            foreach (var clause in query.Groups[0])
            {
                if (clause is [{ Operator: "=" or "IN" } condition] && !condition.Field.Contains('.', StringComparison.Ordinal))
                {
                    var values = condition.Operator == "=" ? [condition.Value] : condition.Value.Split(',').Select(v => v.Trim());
                    return data.RowsWhereEqual(condition.Field, values);
                }
            }
        }

        return data.Rows();
    }

    internal bool IsKnownPath(TableSchema schema, string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return schema.Has(path);
        }

        var reference = schema.ReferenceOf(path[..dot]);
        return reference is not null && IsKnownPath(Schemas.Get(reference), path[(dot + 1)..]);
    }

    /// <summary>A field's value, following dot-walked references ("remote_update_set.state").</summary>
    internal string ValueOf(TableSchema schema, IReadOnlyDictionary<string, string> row, string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return row.GetValueOrDefault(path) ?? string.Empty;
        }

        var field = path[..dot];
        var reference = schema.ReferenceOf(field);
        var target = reference is null ? null : row.GetValueOrDefault(field);
        if (reference is null || string.IsNullOrEmpty(target) || !_tables.TryGetValue(reference, out var data) || data.Get(target) is not { } referenced)
        {
            return string.Empty;
        }

        return ValueOf(Schemas.Get(reference), referenced, path[(dot + 1)..]);
    }

    /// <summary>The display value of a referenced row (its display field), or empty.</summary>
    internal string DisplayValueOf(string table, string sysId)
    {
        if (!_tables.TryGetValue(table, out var data) || data.Get(sysId) is not { } row)
        {
            return string.Empty;
        }

        var schema = Schemas.Get(table);
        return row.GetValueOrDefault(schema.DisplayField) ?? row.GetValueOrDefault("name") ?? string.Empty;
    }

    /// <summary>Stores a row as given, filling missing system fields and learning its fields.</summary>
    internal IReadOnlyDictionary<string, string> PutRaw(string table, IReadOnlyDictionary<string, string> fields)
    {
        var row = new Dictionary<string, string>(fields, StringComparer.Ordinal);
        var now = SnTime.Text(Clock.UtcNow);
        if (string.IsNullOrEmpty(row.GetValueOrDefault("sys_id")))
        {
            row["sys_id"] = NewSysId();
        }

        row.TryAdd("sys_created_on", now);
        row.TryAdd("sys_created_by", "system");
        row.TryAdd("sys_updated_on", row["sys_created_on"]);
        row.TryAdd("sys_updated_by", row["sys_created_by"]);
        row.TryAdd("sys_mod_count", "0");
        row.TryAdd("sys_class_name", table);
        var schema = Schemas.Get(table);
        if (row.Keys.Any(k => !schema.Has(k)))
        {
            Schemas.Learn(table, row.Keys);
        }

        Store(table, row);
        return row;
    }

    /// <summary>
    /// Stores a row in its own table (the table its <c>sys_class_name</c> names, when that extends
    /// <paramref name="table"/>) and in every table that one extends (<see cref="TableHierarchy"/>).
    /// </summary>
    internal void Store(string table, IReadOnlyDictionary<string, string> row)
    {
        var leaf = row.GetValueOrDefault("sys_class_name") is { Length: > 0 } named && named != table && TableHierarchy.IsA(named, table) ? named : table;
        var full = row;
        if (leaf != table && Data(leaf).Get(row["sys_id"]) is { } existing)
        {
            // Written through a base table: the leaf keeps its own columns.
            var merged = new Dictionary<string, string>(existing, StringComparer.Ordinal);
            foreach (var (field, value) in row)
            {
                merged[field] = value;
            }

            full = merged;
        }

        Data(leaf).Put(full);
        foreach (var ancestor in TableHierarchy.Ancestors(leaf))
        {
            Data(ancestor).Put(TableHierarchy.AsRowOf(ancestor, full));
        }
    }

    /// <summary>Deletes a row from its own table and every table it extends; false when it was not in <paramref name="table"/>.</summary>
    internal bool Erase(string table, string sysId)
    {
        var row = Data(table).Get(sysId);
        if (row is null)
        {
            return false;
        }

        var leaf = row.GetValueOrDefault("sys_class_name") is { Length: > 0 } named && TableHierarchy.IsA(named, table) ? named : table;
        Data(leaf).Remove(sysId);
        Data(table).Remove(sysId);
        foreach (var ancestor in TableHierarchy.Ancestors(leaf))
        {
            Data(ancestor).Remove(sysId);
        }

        return true;
    }

    private void CreatePlatform()
    {
        var now = SnTime.Text(Clock.UtcNow);
        foreach (var table in PlatformTables)
        {
            CreateTableCore(table, "global");
        }

        foreach (var plugin in PluginCatalog.All)
        {
            PutRaw("sys_plugins", new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.Stable("sys_plugins:" + plugin.Id),
                ["name"] = plugin.Name,
                ["source"] = plugin.Id,
                ["id"] = plugin.Id,
                ["version"] = plugin.Version,
                ["active"] = "inactive",
                ["description"] = plugin.Name,
                ["licensable"] = "false",
                ["sys_created_on"] = now,
            });
        }

        foreach (var id in PluginCatalog.ActiveByDefault)
        {
            SetPluginActiveCore(id, true);
        }

        PutRaw("sys_scope", new Dictionary<string, string>
        {
            ["sys_id"] = "global",
            ["name"] = "Global",
            ["scope"] = "global",
            ["version"] = string.Empty,
            ["active"] = "true",
            ["vendor"] = "ServiceNow",
        });
        SetPropertyCore("instance_name", Name);
        SetPropertyCore(AllowCloneTargetProperty, IsProduction ? "false" : "true");
        SetPropertyCore("glide.email.smtp.active", "true");
        SetPropertyCore("glide.email.read.active", "true");
        SetPropertyCore(ClientCredentialsProperty, _options.ClientCredentialsEnabled ? "true" : "false");
        var admin = AddUserCore(SimulatorDefaults.AdminUser, SimulatorDefaults.AdminPassword, SimulatorDefaults.AdminRoles);
        PutRaw("oauth_entity", new Dictionary<string, string>
        {
            ["sys_id"] = SysIds.Stable("oauth_entity:" + SimulatorDefaults.OAuthClientId),
            ["name"] = "CloneFlow",
            ["client_id"] = SimulatorDefaults.OAuthClientId,
            ["client_secret"] = SimulatorDefaults.OAuthClientSecret,
            ["type"] = "client",
            ["active"] = "true",
            ["user"] = admin,
            ["access_token_lifespan"] = "1799",
            ["refresh_token_lifespan"] = "8640000",
        });
        PutRaw("sys_rate_limit_rules", new Dictionary<string, string>
        {
            ["sys_id"] = RateLimiter.RuleSysId,
            ["name"] = "Simulator per-user limit",
            ["rate_limit"] = _rateLimitPerHour.ToString(CultureInfo.InvariantCulture),
            ["type"] = "user",
            ["active"] = _rateLimitPerHour > 0 ? "true" : "false",
            ["resource"] = "all",
            ["method"] = "all",
        });
        PutRaw("sys_update_set", new Dictionary<string, string>
        {
            ["sys_id"] = SysIds.Stable("sys_update_set:Default:" + Name),
            ["name"] = "Default",
            ["state"] = "in progress",
            ["is_default"] = "true",
            ["application"] = "global",
            ["description"] = "Default update set",
        });
        PutRaw("clone_data_preserver", new Dictionary<string, string>
        {
            ["sys_id"] = SysIds.Stable("clone_data_preserver:ecc_agent"),
            ["name"] = "MID Servers",
            ["table"] = "ecc_agent",
            ["active"] = "true",
        });
        foreach (var excluded in new[] { "sys_email", "syslog" })
        {
            PutRaw("clone_data_exclude", new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.Stable("clone_data_exclude:" + excluded),
                ["name"] = excluded,
                ["table"] = excluded,
                ["active"] = "true",
            });
        }
    }

    private static int StableSeed(int seed, string name)
    {
        // string.GetHashCode is randomised per process; estates must not be.
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in name)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash ^ (seed * 31);
        }
    }
}
