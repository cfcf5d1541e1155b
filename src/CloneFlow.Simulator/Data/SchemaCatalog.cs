namespace CloneFlow.Simulator.Data;

/// <summary>
/// The table dictionary shared by all instances of one simulator (which fields a table has). Whether a
/// table exists on an instance is a separate matter: its row in that instance's <c>sys_db_object</c>.
/// Tables that only arrive through update-set payloads or seeding get a schema learned from their rows.
/// </summary>
internal sealed class SchemaCatalog
{
    private readonly Dictionary<string, TableSchema> _schemas = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates the catalog with the platform tables the simulator knows.</summary>
    public SchemaCatalog()
    {
        Add(new TableSchema("sys_db_object").With("label", "sys_package", "is_extendable", "access", "sys_name", "sys_update_name").Reference("super_class", "sys_db_object").Reference("sys_scope", "sys_scope"));
        Add(new TableSchema("sys_scope").With("scope", "version", "vendor", "active", "private", "sys_code", "source_control"));
        Add(new TableSchema("sys_metadata", "sys_name").With("sys_name", "sys_update_name", "sys_package", "sys_policy").Reference("sys_scope", "sys_scope"));
        Add(new TableSchema("sys_dictionary", "column_label").With("element", "internal_type", "column_label", "max_length", "active", "sys_name", "sys_update_name")
            .Reference("sys_scope", "sys_scope"));
        Add(new TableSchema("sys_app").With("scope", "version", "vendor", "active", "private", "sys_code", "source_control"));
        Add(new TableSchema("sys_store_app").With("scope", "version", "vendor", "active", "installed_as_dependency", "dependencies"));
        Add(new TableSchema("sys_plugins").With("source", "id", "version", "active", "description", "licensable"));
        Add(new TableSchema("v_plugin").With("id", "version", "active", "description"));
        Add(new TableSchema("sys_update_set")
            .With("description", "state", "is_default", "release_date", "install_date", "completed_on", "origin_sys_id", "remote_sys_id", "merged_to")
            .Reference("application", "sys_scope").Reference("parent", "sys_update_set").Reference("base_update_set", "sys_update_set"));
        Add(new TableSchema("sys_update_xml")
            .With("action", "category", "comments", "payload", "payload_hash", "replace_on_upgrade", "sys_recorded_at", "table",
                "target_name", "type", "update_domain", "update_guid", "update_guid_history", "view")
            .Reference("application", "sys_scope").Reference("remote_update_set", "sys_remote_update_set").Reference("update_set", "sys_update_set"));
        Add(new TableSchema("sys_remote_update_set")
            .With("application_name", "application_scope", "application_version", "collisions", "commit_date", "deleted", "description",
                "inserted", "origin_sys_id", "release_date", "remote_parent_id", "remote_sys_id", "state", "summary", "updated")
            .Reference("application", "sys_scope").Reference("parent", "sys_remote_update_set")
            .Reference("remote_base_update_set", "sys_remote_update_set").Reference("update_set", "sys_update_set")
            .Reference("update_source", "sys_update_set_source"));
        Add(new TableSchema("sys_update_set_source").With("url", "username", "type", "active", "instance_id", "description").Hidden("password"));
        Add(new TableSchema("sys_update_preview_problem", "description")
            .With("type", "description", "status", "missing_item", "missing_item_table", "available_actions")
            .Reference("remote_update", "sys_update_xml").Reference("remote_update_set", "sys_remote_update_set"));
        Add(new TableSchema("sys_update_preview_xml", "proposed_action")
            .With("proposed_action", "action", "disposition").Reference("remote_update", "sys_update_xml"));
        Add(new TableSchema(SourceControl.SourceControlEngine.RepoConfigTable, "url").With("url", "branch", "username", "mid_server")
            .Hidden("password").Reference("sys_app", "sys_app"));
        Add(new TableSchema("sys_properties").With("value", "type", "description", "ignore_cache", "choices"));
        Add(new TableSchema("sys_user")
            .With("user_name", "first_name", "last_name", "email", "active", "web_service_access_only", "locked_out")
            .Hidden("user_password"));
        Add(new TableSchema("sys_user_role").With("description", "elevated_privilege"));
        Add(new TableSchema("sys_user_has_role", "role").With("state", "inherited").Reference("user", "sys_user").Reference("role", "sys_user_role"));
        Add(new TableSchema("oauth_entity").With("client_id", "type", "active", "access_token_lifespan", "refresh_token_lifespan")
            .Hidden("client_secret").Reference("user", "sys_user"));
        Add(new TableSchema("sys_rate_limit_rules").With("rate_limit", "type", "active", "resource", "method"));
        Add(new TableSchema("sn_instance_clone_request", "number")
            .With("number", "source_instance", "target_instance", "state", "phase", "percent_complete", "scheduled_start", "started",
                "completed", "cancel_requested", "state_message", "requested_by", "preserve_in_progress_update_sets",
                "exclude_attachments", "exclude_audit_log", "email_updates", "description", "correlation_id")
            .Reference("profile", "clone_profile"));
        Add(new TableSchema("clone_profile").With("description", "preserved_tables", "excluded_tables", "run_cleanup"));
        Add(new TableSchema("clone_data_preserver").With("table", "active", "condition"));
        Add(new TableSchema("clone_data_exclude", "table").With("table", "active"));
        Add(new TableSchema("ecc_agent").With("status", "host_name", "ip_address"));
        Add(new TableSchema("sys_email", "subject").With("subject", "recipients", "type", "body"));
        Add(new TableSchema("syslog", "message").With("message", "level", "source"));
        Add(new TableSchema("sys_script_include")
            .With("api_name", "script", "active", "access", "client_callable", "description", "sys_name", "sys_update_name", "sys_policy", "sys_package")
            .Reference("sys_scope", "sys_scope"));
        Add(new TableSchema("sys_script")
            .With("collection", "script", "when", "active", "order", "condition", "action_insert", "action_update", "sys_name", "sys_update_name")
            .Reference("sys_scope", "sys_scope"));
        Add(new TableSchema("sys_ui_action")
            .With("table", "action_name", "script", "active", "condition", "order", "client", "hint", "sys_name", "sys_update_name")
            .Reference("sys_scope", "sys_scope"));
        Add(new TableSchema("sys_ui_policy", "short_description")
            .With("table", "short_description", "conditions", "active", "order", "sys_name", "sys_update_name")
            .Reference("sys_scope", "sys_scope"));
        Add(new TableSchema("incident", "number")
            .With("number", "short_description", "description", "priority", "state", "category", "active", "impact", "urgency")
            .Reference("caller_id", "sys_user").Reference("assigned_to", "sys_user"));
        Add(new TableSchema("sys_data_source").With("type", "format", "file_path", "active"));
    }

    /// <summary>The schema of <paramref name="table"/>, created with the system fields when unknown.</summary>
    public TableSchema Get(string table)
    {
        lock (_gate)
        {
            if (!_schemas.TryGetValue(table, out var schema))
            {
                schema = new TableSchema(table);
                _schemas[table] = schema;
            }

            return schema;
        }
    }

    /// <summary>True when the catalog declares the table.</summary>
    public bool IsDeclared(string table)
    {
        lock (_gate)
        {
            return _schemas.ContainsKey(table);
        }
    }

    /// <summary>Adds fields to a table's dictionary (a payload or a seeded row brings them).</summary>
    public void Learn(string table, IEnumerable<string> fields)
    {
        var schema = Get(table);
        var missing = fields.Where(f => !schema.Has(f)).ToArray();
        if (missing.Length > 0)
        {
            schema.With(missing);
        }
    }

    private void Add(TableSchema schema) => _schemas[schema.Name] = schema;
}
