using System.Globalization;
using System.Security;
using System.Text;
using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Seeding;

/// <summary>
/// Fills instances with a realistic, reproducible estate: production with released work; test and dev
/// with in-progress, complete-but-unreleased, batched, empty and scoped update sets, uncommitted remote
/// sets, a scoped app in development, plugins only they have and a few multi-MB payloads. The same seed
/// and options always give the same estate.
/// </summary>
public sealed class EstateSeeder
{
    private static readonly (string Table, string Type)[] PayloadKinds =
    [
        ("sys_script_include", "Script Include"), ("sys_script", "Business Rule"), ("sys_ui_action", "UI Action"), ("sys_ui_policy", "UI Policy"),
    ];

    private static readonly string[] Topics =
    [
        "Approval routing", "Incident auto-assignment", "Change risk calculator", "CMDB health", "Knowledge feedback", "SLA pause rules",
        "Catalog fulfilment", "Major incident comms", "Vendor onboarding", "Asset reclamation", "Problem trend report", "On-call rota",
    ];

    private readonly int _seed;
    private readonly EstateOptions _options;

    /// <summary>Creates a seeder for <paramref name="seed"/> with sizes from <paramref name="options"/>.</summary>
    public EstateSeeder(int seed, EstateOptions? options = null)
    {
        _seed = seed;
        _options = options ?? new EstateOptions();
    }

    /// <summary>Adds the estate to <paramref name="instance"/> (production or sub-production by the instance's role).</summary>
    public void Seed(SimulatedInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        lock (instance.Gate)
        {
            instance.ReseedIds(_seed);
            // Released work comes from one generator shared by all instances, so prod and its clones agree on sys_ids.
            var shared = new Writer(instance, new Random(_seed), _options);
            shared.Baseline();
            shared.ReleasedWork();
            if (!instance.IsProduction)
            {
                var own = new Writer(instance, new Random(HashCode(instance.Name) ^ (_seed * 7919)), _options);
                own.InFlightWork();
            }
        }
    }

    private static int HashCode(string text)
    {
        unchecked
        {
            var hash = 17;
            foreach (var c in text)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }

    /// <summary>Writes one generator's share of the estate.</summary>
    private sealed class Writer(SimulatedInstance instance, Random random, EstateOptions options)
    {
        private int _sequence;

        private DateTimeOffset Now => options.ReferenceTime;

        public void Baseline()
        {
            instance.AddUserCore("clone_admin", "clone_admin", [SimulatorDefaults.AdminRole, SimulatorDefaults.CloneAdminRole, SimulatorDefaults.CicdRole]);
            instance.AddUserCore("jane.developer", "jane", ["itil"]);
            instance.SetPropertyCore("glide.product.description", instance.IsProduction ? "Production" : $"{instance.Name} (non-production)");
            instance.PutRaw("ecc_agent", new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.Stable("ecc_agent:" + instance.Name),
                ["name"] = $"mid-{instance.Name}-01",
                ["status"] = "Up",
                ["host_name"] = $"mid-{instance.Name}-01.example.com",
            });
            instance.PutRaw("sys_data_source", new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.Stable("sys_data_source:hr:" + instance.Name),
                ["name"] = "HR feed",
                ["type"] = "File",
                ["format"] = "CSV",
                ["file_path"] = $"/{instance.Name}/hr/people.csv",
                ["active"] = "true",
            });
            instance.PutRaw("clone_profile", new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.Stable("clone_profile:standard"),
                ["name"] = "Standard sub-production refresh",
                ["description"] = "Preserves MID servers and data sources, excludes e-mail and logs",
                ["preserved_tables"] = "ecc_agent,sys_data_source",
                ["excluded_tables"] = "sys_email,syslog",
                ["run_cleanup"] = "true",
            });
            instance.PutRaw("sys_email", new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.New(random),
                ["subject"] = "Welcome",
                ["recipients"] = "someone@example.com",
                ["type"] = "sent",
            });
        }

        public void ReleasedWork()
        {
            for (var i = 0; i < options.ReleasedSets; i++)
            {
                var name = $"Release 2025.{(i + 10).ToString(CultureInfo.InvariantCulture)} - {Topics[i % Topics.Length]}";
                var created = Now.AddDays(-60 + i);
                var local = LocalSet(name, "complete", "global", created);
                Updates(local, null, "global", options.UpdatesPerSet, created, null);
                instance.PutRaw("sys_remote_update_set", RemoteFields(name, "committed", "global", created, string.Empty, string.Empty, local));
            }
        }

        public void InFlightWork()
        {
            instance.SetPluginActiveCore(PluginCatalog.Agile, true);
            if (instance.Name.Contains("dev", StringComparison.OrdinalIgnoreCase))
            {
                instance.SetPluginActiveCore(PluginCatalog.MajorIncident, true);
            }

            var inProgress = Math.Max(2, options.InProgressSets);
            for (var i = 0; i < inProgress; i++)
            {
                var created = Now.AddDays(-20 + i);
                var set = LocalSet($"{Story()} {Topics[(i + 3) % Topics.Length]}", "in progress", "global", created);
                // The first set customises a table of a plugin only this instance has: after a clone it previews as a missing object.
                Updates(set, null, "global", options.UpdatesPerSet, created, i == 0 ? "scrum_pp_config" : null);
                if (i == 0)
                {
                    for (var l = 0; l < options.LargePayloads; l++)
                    {
                        Update(set, null, "global", "sys_script_include", "Script Include", created.AddHours(l + 1), options.LargePayloadBytes);
                    }
                }
            }

            for (var i = 0; i < options.CompleteUnreleasedSets; i++)
            {
                var created = Now.AddDays(-30 + i);
                var set = LocalSet($"{Story()} {Topics[(i + 6) % Topics.Length]} (ready for release)", "complete", "global", created);
                Updates(set, null, "global", options.UpdatesPerSet, created, null);
            }

            for (var i = 0; i < options.PromotedSets; i++)
            {
                var created = Now.AddDays(-28 + i);
                var name = $"{Story()} {Topics[(i + 9) % Topics.Length]} (promoted to production)";
                var set = LocalSet(name, "complete", "global", created);
                Updates(set, null, "global", options.UpdatesPerSet, created, null);
                Promote(name, set, created.AddDays(3));
            }

            var batchCreated = Now.AddDays(-15);
            var parent = LocalSet($"Release 2026.02 batch ({instance.Name})", "in progress", "global", batchCreated);
            for (var i = 0; i < options.BatchChildren; i++)
            {
                var child = LocalSet($"Release 2026.02 part {i + 1}", "complete", "global", batchCreated.AddHours(i + 1), parent, parent);
                Updates(child, null, "global", options.UpdatesPerSet, batchCreated.AddHours(i + 1), null);
            }

            for (var i = 0; i < options.EmptySets; i++)
            {
                LocalSet($"{Story()} placeholder {i + 1}", "in progress", "global", Now.AddDays(-3 - i));
            }

            ScopedAppInDevelopment();
            RemoteSets();
        }

        /// <summary>
        /// What promoting a set leaves on production: its export retrieved as a remote set (<c>remote_sys_id</c> the
        /// set's sys_id here) and committed, which made a local set of the same name with a sys_id of its own.
        /// </summary>
        private void Promote(string name, string sysId, DateTimeOffset committed)
        {
            if (instance.World.Instances.Values.FirstOrDefault(i => i.IsProduction && i != instance) is not { } production)
            {
                return;
            }

            lock (production.Gate)
            {
                var local = SysIds.Stable($"promoted-local:{instance.Name}:{sysId}");
                production.PutRaw("sys_update_set", new Dictionary<string, string>
                {
                    ["sys_id"] = local,
                    ["name"] = name,
                    ["state"] = "complete",
                    ["application"] = "global",
                    ["is_default"] = "false",
                    ["sys_created_on"] = SnTime.Text(committed),
                    ["sys_created_by"] = "admin",
                });
                production.PutRaw("sys_remote_update_set", RemoteFields(name, "committed", "global", committed, string.Empty, sysId, local));
            }
        }

        /// <summary>
        /// An app only this instance has, as a developer leaves it: its record, a table with its dictionary and
        /// rows, and files. The app, its table and one script were tracked in the scope's Default set (never
        /// transferred); the rest of its files are in its in-progress development set.
        /// </summary>
        private void ScopedAppInDevelopment()
        {
            var appId = SysIds.New(random);
            var created = Now.AddDays(-25);
            var app = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["sys_id"] = appId,
                ["name"] = SeededApp.Name,
                ["scope"] = SeededApp.Scope,
                ["version"] = SeededApp.Version,
                ["vendor"] = "Acme",
                ["active"] = "true",
                ["private"] = "false",
                ["sys_code"] = SeededApp.Scope,
                ["source_control"] = "false",
                ["sys_class_name"] = "sys_app",
                ["sys_created_on"] = SnTime.Text(created),
                ["sys_created_by"] = "jane.developer",
                ["sys_updated_on"] = SnTime.Text(created),
                ["sys_updated_by"] = "jane.developer",
            };
            var defaultSet = LocalSet("Default", "in progress", appId, created, isDefault: true);
            var files = new AppFiles(instance, appId, defaultSet, created);
            files.Add("sys_app", "Application", app, $"sys_app_{appId}");
            var tableId = SysIds.Stable($"sys_db_object:{instance.Name}:{SeededApp.Table}");
            files.Add("sys_db_object", "Table", new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["sys_id"] = tableId,
                ["name"] = SeededApp.Table,
                ["label"] = "Facilities request",
                ["sys_package"] = appId,
                ["is_extendable"] = "false",
                ["access"] = "public",
                ["super_class"] = string.Empty,
            }, $"sys_db_object_{tableId}");
            foreach (var (element, type, label) in SeededApp.Columns)
            {
                var id = SysIds.Stable($"sys_dictionary:{instance.Name}:{SeededApp.Table}:{element}");
                files.Add("sys_dictionary", "Dictionary", new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    ["sys_id"] = id,
                    ["name"] = SeededApp.Table,
                    ["element"] = element,
                    ["internal_type"] = type,
                    ["column_label"] = label,
                    ["max_length"] = type == "string" ? "160" : "40",
                    ["active"] = "true",
                }, $"sys_dictionary_{SeededApp.Table}_{(element.Length == 0 ? "null" : element)}");
            }

            var utilsId = SysIds.Stable($"sys_script_include:{instance.Name}:FacilitiesRequestUtils");
            files.Add("sys_script_include", "Script Include", new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["sys_id"] = utilsId,
                ["name"] = "FacilitiesRequestUtils",
                ["api_name"] = SeededApp.Scope + ".FacilitiesRequestUtils",
                ["active"] = "true",
                ["access"] = "package_private",
                ["script"] = "var FacilitiesRequestUtils = Class.create();\nFacilitiesRequestUtils.prototype = { type: 'FacilitiesRequestUtils' };",
            }, $"sys_script_include_{utilsId}");

            for (var i = 0; i < SeededApp.Rows; i++)
            {
                instance.PutRaw(SeededApp.Table, new Dictionary<string, string>
                {
                    ["sys_id"] = SysIds.Stable($"{SeededApp.Table}:{instance.Name}:{i}"),
                    ["number"] = "FAC" + (1001 + i).ToString("0000000", CultureInfo.InvariantCulture),
                    ["short_description"] = $"{Topics[i % Topics.Length]} - desk move {i + 1}",
                    ["location"] = $"Building {(char)('A' + (i % 4))}, floor {1 + (i % 3)}",
                    ["state"] = (i % 3).ToString(CultureInfo.InvariantCulture),
                    ["sys_created_on"] = SnTime.Text(created.AddDays(1 + i)),
                    ["sys_created_by"] = "jane.developer",
                });
            }

            var set = LocalSet("Acme Facilities Requests - 1.0.0 development", "in progress", appId, created);
            Updates(set, null, appId, options.UpdatesPerSet, created, null);
            if (options.LinkScopedAppToSourceControl)
            {
                instance.SourceControl.Link(appId, SeededApp.RepositoryUrl(instance.Name), SeededApp.Branch, "jane.developer");
            }
        }

        private void RemoteSets()
        {
            var sourceName = instance.Name.Contains("dev", StringComparison.OrdinalIgnoreCase) ? "sandbox" : "dev";
            var source = new Dictionary<string, string>
            {
                ["sys_id"] = SysIds.New(random),
                ["name"] = sourceName,
                ["url"] = $"https://acme{sourceName}.service-now.com",
                ["username"] = "clone_admin",
                ["password"] = "secret",
                ["type"] = "Production",
                ["active"] = "true",
                ["instance_id"] = SysIds.New(random),
            };
            instance.PutRaw("sys_update_set_source", source);
            foreach (var state in new[] { "loaded", "previewed" })
            {
                var created = Now.AddDays(-2);
                var name = $"{Story()} {Topics[random.Next(Topics.Length)]} (retrieved from {sourceName})";
                var remote = RemoteFields(name, state, "global", created, source["sys_id"], SysIds.New(random), string.Empty);
                instance.PutRaw("sys_remote_update_set", remote);
                Updates(null, remote["sys_id"], "global", options.UpdatesPerSet, created, null);
            }
        }

        private string Story() => "STRY" + (10_001 + _sequence++ + random.Next(0, 50) * 100).ToString("0000000", CultureInfo.InvariantCulture);

        private string LocalSet(string name, string state, string application, DateTimeOffset created, string parent = "", string batchBase = "", bool isDefault = false)
        {
            // The scope's Default set takes an id of its own, so adding it left the rest of the estate as it was.
            var sysId = isDefault ? SysIds.Stable($"sys_update_set:Default:{instance.Name}:{application}") : SysIds.New(random);
            instance.PutRaw("sys_update_set", new Dictionary<string, string>
            {
                ["sys_id"] = sysId,
                ["name"] = name,
                ["description"] = $"{name} - seeded by the CloneFlow simulator",
                ["state"] = state,
                ["application"] = application,
                ["parent"] = parent,
                ["base_update_set"] = batchBase,
                ["is_default"] = isDefault ? "true" : "false",
                ["release_date"] = string.Empty,
                ["completed_on"] = state == "complete" ? SnTime.Text(created.AddDays(2)) : string.Empty,
                ["sys_created_on"] = SnTime.Text(created),
                ["sys_created_by"] = "jane.developer",
                ["sys_updated_on"] = SnTime.Text(created.AddDays(1)),
                ["sys_updated_by"] = "jane.developer",
            });
            return sysId;
        }

        private Dictionary<string, string> RemoteFields(string name, string state, string application, DateTimeOffset created, string source, string remoteSysId, string localSet) => new()
        {
            ["sys_id"] = SysIds.New(random),
            ["name"] = name,
            ["state"] = state,
            ["application"] = application,
            ["application_name"] = application == "global" ? "Global" : application,
            ["application_scope"] = application == "global" ? "global" : application,
            ["application_version"] = string.Empty,
            ["collisions"] = string.Empty,
            ["commit_date"] = state == "committed" ? SnTime.Text(created.AddDays(3)) : string.Empty,
            ["deleted"] = string.Empty,
            ["description"] = string.Empty,
            ["inserted"] = string.Empty,
            ["origin_sys_id"] = string.Empty,
            ["parent"] = string.Empty,
            ["release_date"] = string.Empty,
            ["remote_base_update_set"] = string.Empty,
            ["remote_parent_id"] = string.Empty,
            ["remote_sys_id"] = remoteSysId.Length > 0 ? remoteSysId : SysIds.New(random),
            ["summary"] = string.Empty,
            ["update_set"] = localSet,
            ["update_source"] = source,
            ["updated"] = string.Empty,
            ["sys_created_on"] = SnTime.Text(created),
            ["sys_created_by"] = "admin",
            ["sys_updated_on"] = SnTime.Text(created),
            ["sys_updated_by"] = "admin",
        };

        private void Updates(string? localSet, string? remoteSet, string application, int count, DateTimeOffset start, string? firstTable)
        {
            for (var i = 0; i < count; i++)
            {
                var (table, type) = i == 0 && firstTable is not null ? (firstTable, "Agile configuration") : PayloadKinds[random.Next(PayloadKinds.Length)];
                Update(localSet, remoteSet, application, table, type, start.AddMinutes(10 * (i + 1)), options.PayloadBytes);
            }
        }

        private void Update(string? localSet, string? remoteSet, string application, string table, string type, DateTimeOffset at, int size)
        {
            var recordId = SysIds.New(random);
            var recordName = $"Acme{Topics[random.Next(Topics.Length)].Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal)}{random.Next(1000):000}";
            var script = ScriptText.Write(recordName, size, random);
            var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["active"] = "true",
                ["description"] = $"{recordName} ({type})",
                ["name"] = recordName,
                ["sys_class_name"] = table,
                ["sys_created_by"] = "jane.developer",
                ["sys_created_on"] = SnTime.Text(at),
                ["sys_id"] = recordId,
                ["sys_mod_count"] = "0",
                ["sys_name"] = recordName,
                ["sys_scope"] = application,
                ["sys_update_name"] = $"{table}_{recordId}",
                ["sys_updated_by"] = "jane.developer",
                ["sys_updated_on"] = SnTime.Text(at),
            };
            if (table == "sys_script")
            {
                fields["collection"] = "incident";
                fields["when"] = "before";
            }
            else if (table is "sys_ui_action" or "sys_ui_policy")
            {
                fields["table"] = "incident";
            }

            var payload = Payload(table, fields, table == "scrum_pp_config" ? null : script);
            var guid = SysIds.New(random);
            instance.PutRaw("sys_update_xml", UpdateRow(
                SysIds.New(random), application, $"{table}_{recordId}", payload, localSet ?? string.Empty, remoteSet ?? string.Empty, SnTime.RecordedAt(at, ++_sequence),
                fields.GetValueOrDefault("collection") ?? fields.GetValueOrDefault("table") ?? string.Empty, recordName, type, guid, at));

            // The customisation itself exists on the instance it was made on (not for retrieved, uncommitted sets).
            if (remoteSet is null && instance.TableExistsCore(table))
            {
                var record = new Dictionary<string, string>(fields, StringComparer.Ordinal);
                if (table != "scrum_pp_config")
                {
                    record["script"] = script.Length > 512 ? script[..512] : script;
                }

                instance.PutRaw(table, record);
            }
        }

        /// <summary>Writes an app's files: each record in its table and its update (the latest) in the given set.</summary>
        private sealed class AppFiles(SimulatedInstance instance, string appId, string updateSet, DateTimeOffset start)
        {
            private int _count;

            public void Add(string table, string type, SortedDictionary<string, string> fields, string updateName)
            {
                var at = start.AddMinutes(++_count);
                fields["sys_scope"] = appId;
                fields["sys_update_name"] = updateName;
                fields.TryAdd("sys_name", fields.GetValueOrDefault("name", updateName));
                fields.TryAdd("sys_class_name", table);
                fields.TryAdd("sys_created_on", SnTime.Text(at));
                fields.TryAdd("sys_created_by", "jane.developer");
                fields.TryAdd("sys_updated_on", SnTime.Text(at));
                fields.TryAdd("sys_updated_by", "jane.developer");
                fields.TryAdd("sys_mod_count", "0");
                instance.PutRaw(table, fields);
                var payload = Payload(table, fields, null);
                var guid = SysIds.Stable($"update_guid:{instance.Name}:{updateName}");
                instance.PutRaw("sys_update_xml", UpdateRow(
                    SysIds.Stable($"sys_update_xml:{instance.Name}:{updateName}"), appId, updateName, payload, updateSet, string.Empty, SnTime.RecordedAt(at, 900_000 + _count),
                    table == "sys_dictionary" ? fields["name"] : string.Empty, fields["sys_name"], type, guid, at));
            }
        }

        /// <summary>A customer update as the platform records it (<c>sys_update_xml</c>), hash and GUID history from its payload.</summary>
        private static Dictionary<string, string> UpdateRow(
            string sysId, string application, string name, string payload, string localSet, string remoteSet, string recordedAt, string table, string targetName, string type, string guid, DateTimeOffset at)
        {
            var hash = JavaHash(payload).ToString(CultureInfo.InvariantCulture);
            return new Dictionary<string, string>
            {
                ["sys_id"] = sysId,
                ["action"] = "INSERT_OR_UPDATE",
                ["application"] = application,
                ["category"] = "customer",
                ["comments"] = string.Empty,
                ["name"] = name,
                ["payload"] = payload,
                ["payload_hash"] = hash,
                ["remote_update_set"] = remoteSet,
                ["update_set"] = localSet,
                ["replace_on_upgrade"] = "false",
                ["sys_recorded_at"] = recordedAt,
                ["table"] = table,
                ["target_name"] = targetName,
                ["type"] = type,
                ["update_domain"] = "global",
                ["update_guid"] = guid,
                ["update_guid_history"] = $"{guid}:{hash}",
                ["view"] = string.Empty,
                ["sys_created_on"] = SnTime.Text(at),
                ["sys_created_by"] = "jane.developer",
                ["sys_updated_on"] = SnTime.Text(at),
                ["sys_updated_by"] = "jane.developer",
            };
        }

        private static string Payload(string table, IReadOnlyDictionary<string, string> fields, string? script)
        {
            var xml = new StringBuilder((script?.Length ?? 0) + 1024);
            xml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><record_update table=\"").Append(table).Append("\"><")
                .Append(table).Append(" action=\"INSERT_OR_UPDATE\">");
            var scriptWritten = script is null;
            foreach (var (name, value) in fields)
            {
                // Fields come sorted, as in real payloads; the script goes in its alphabetical place.
                if (!scriptWritten && string.CompareOrdinal(name, "script") > 0)
                {
                    xml.Append("<script><![CDATA[").Append(script).Append("]]></script>");
                    scriptWritten = true;
                }

                if (value.Length == 0)
                {
                    xml.Append('<').Append(name).Append("/>");
                }
                else
                {
                    xml.Append('<').Append(name).Append('>').Append(SecurityElement.Escape(value)).Append("</").Append(name).Append('>');
                }
            }

            return xml.Append("</").Append(table).Append("></record_update>").ToString();
        }

        private static int JavaHash(string text)
        {
            unchecked
            {
                var hash = 0;
                foreach (var c in text)
                {
                    hash = (31 * hash) + c;
                }

                return hash;
            }
        }
    }
}
