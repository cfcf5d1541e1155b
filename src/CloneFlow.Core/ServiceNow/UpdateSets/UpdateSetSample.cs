using System.Globalization;
using System.Text;

namespace CloneFlow.Core.ServiceNow.UpdateSets;

/// <summary>
/// Generates realistic update-set exports: a batch (a base set and its children) of script includes,
/// business rules, dictionary entries and properties, with scripts that carry their own CDATA
/// sections and some DELETE updates. Used by <c>cloneflow updateset sample</c>, the tests and the
/// benchmarks; streams, so a 500 MB sample costs no more memory than a small one.
/// </summary>
public static class UpdateSetSample
{
    private static readonly string[] Kinds = ["sys_script_include", "sys_script", "sys_dictionary", "sys_properties"];

    /// <summary>Writes a sample file to <paramref name="stream"/> (left open).</summary>
    public static async Task WriteAsync(Stream stream, UpdateSetSampleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var ids = new SysIdSource(options.Seed);
        var created = UpdateSetXmlWriter.FormatUnloadDate(options.UnloadDate.AddHours(-2));
        var sets = Enumerable.Range(0, options.Sets)
            .Select(i => new SampleSet(ids.Next(), ids.Next(), i == 0 ? "Sprint 48 - Release batch" : $"Sprint 48 - Story STRY00{1040 + i}"))
            .ToList();

        await using var writer = await UpdateSetXmlWriter.CreateAsync(stream, UpdateSetXmlWriter.FormatUnloadDate(options.UnloadDate), cancellationToken);
        foreach (var set in sets)
        {
            await writer.WriteAsync(RemoteSet(set, sets[0], created), cancellationToken);
        }

        for (var i = 0; i < options.Updates; i++)
        {
            var set = sets[i % sets.Count];
            var delete = options.DeleteEvery > 0 && i % options.DeleteEvery == options.DeleteEvery - 1;
            await writer.WriteAsync(Update(i, set, delete, options.PayloadBytes, ids, created), cancellationToken);
        }

        await writer.CompleteAsync(cancellationToken);
    }

    private static RemoteUpdateSetRecord RemoteSet(SampleSet set, SampleSet batchBase, string created)
    {
        var isBase = set.SysId == batchBase.SysId;
        var parentId = isBase ? string.Empty : batchBase.SysId;
        var parentName = isBase ? string.Empty : batchBase.Name;
        return new RemoteUpdateSetRecord(UnloadRecord.DefaultElementAction,
        [
            Ref("application", "global", "Global"),
            new("application_name", "Global"),
            new("application_scope", "global"),
            new("application_version", string.Empty),
            new("collisions", string.Empty),
            new("commit_date", string.Empty),
            new("deleted", string.Empty),
            new("description", $"In-flight work exported by CloneFlow from dev: {set.Name}"),
            new("inserted", string.Empty),
            new("name", set.Name),
            new("origin_sys_id", string.Empty),
            Ref("parent", parentId, parentName),
            new("release_date", string.Empty),
            Ref("remote_base_update_set", parentId, parentName),
            new("remote_parent_id", isBase ? string.Empty : batchBase.RemoteSysId),
            new("remote_sys_id", set.RemoteSysId),
            new("state", "loaded"),
            new("summary", string.Empty),
            new("sys_class_name", RemoteUpdateSetRecord.TableName),
            new("sys_created_by", "admin"),
            new("sys_created_on", created),
            new("sys_id", set.SysId),
            new("sys_mod_count", "0"),
            new("sys_updated_by", "admin"),
            new("sys_updated_on", created),
            Ref("update_set", string.Empty, string.Empty),
            Ref("update_source", string.Empty, string.Empty),
            new("updated", string.Empty),
        ]);
    }

    private static UpdateXmlRecord Update(int index, SampleSet set, bool delete, int payloadBytes, SysIdSource ids, string created)
    {
        var kind = Kinds[index % Kinds.Length];
        var recordId = ids.Next();
        var label = $"CloneFlowSample{index:D6}";
        var (name, type, target) = kind switch
        {
            "sys_script_include" => ($"sys_script_include_{recordId}", "Script Include", label),
            "sys_script" => ($"sys_script_{recordId}", "Business Rule", $"{label} before update"),
            "sys_dictionary" => ($"sys_dictionary_incident_u_sample_{index:D6}", "Dictionary", $"incident.u_sample_{index:D6}"),
            _ => ($"sys_properties_{recordId}", "System Property", $"x_cloneflow.sample.{index:D6}"),
        };
        var payload = Payload(kind, recordId, label, index, delete, payloadBytes);
        var guid = ids.Next();
        var hash = JavaStringHash(payload).ToString(CultureInfo.InvariantCulture);
        return new UpdateXmlRecord(UnloadRecord.DefaultElementAction,
        [
            new("action", delete ? "DELETE" : "INSERT_OR_UPDATE"),
            Ref("application", "global", "Global"),
            new("category", "customer"),
            new("comments", string.Empty),
            new("name", name),
            new("payload", payload),
            new("payload_hash", hash),
            Ref("remote_update_set", set.SysId, set.Name),
            new("replace_on_upgrade", "false"),
            new("sys_created_by", "admin"),
            new("sys_created_on", created),
            new("sys_id", ids.Next()),
            new("sys_mod_count", "0"),
            new("sys_recorded_at", $"19cfb7afe99{index:x7}"),
            new("sys_updated_by", "admin"),
            new("sys_updated_on", created),
            new("table", kind == "sys_dictionary" ? "incident" : string.Empty),
            new("target_name", target),
            new("type", type),
            new("update_domain", "global"),
            new("update_guid", guid),
            new("update_guid_history", $"{guid}:{hash}"),
            Ref("update_set", string.Empty, string.Empty),
            new("view", string.Empty),
        ]);
    }

    private static string Payload(string kind, string recordId, string label, int index, bool delete, int payloadBytes)
    {
        var action = delete ? "DELETE" : "INSERT_OR_UPDATE";
        var text = new StringBuilder(payloadBytes + 512);
        text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        // Dictionary payloads have a bare <record_update> without a table attribute, as ServiceNow writes them.
        text.Append(kind == "sys_dictionary" ? "<record_update>" : $"<record_update table=\"{kind}\">");
        text.Append(CultureInfo.InvariantCulture, $"<{kind} action=\"{action}\">");
        text.Append(CultureInfo.InvariantCulture, $"<active>true</active><name>{label}</name>");
        text.Append("<script><![CDATA[");
        text.Append(CultureInfo.InvariantCulture, $"var {label} = Class.create();\n{label}.prototype = {{\n\tinitialize: function() {{\n\t\tthis.limit = {index} < 10 && {index} > -1; // <ok> & \"quoted\"\n\t}},\n");
        var line = 0;
        while (text.Length < payloadBytes)
        {
            text.Append(CultureInfo.InvariantCulture, $"\tstep{line}: function(gr) {{ gs.info('{label} step {line}: ' + gr.getValue('number')); }},\n");
            line++;
        }

        text.Append(CultureInfo.InvariantCulture, $"\ttype: '{label}'\n}};]]></script>");
        text.Append(CultureInfo.InvariantCulture, $"<sys_id>{recordId}</sys_id><sys_scope display_value=\"Global\">global</sys_scope>");
        text.Append(CultureInfo.InvariantCulture, $"</{kind}></record_update>");
        return text.ToString();
    }

    /// <summary>A 32-bit hash shaped like ServiceNow's payload_hash; its real algorithm is undocumented and CloneFlow never relies on it.</summary>
    private static int JavaStringHash(string text)
    {
        var hash = 0;
        foreach (var c in text)
        {
            hash = unchecked((31 * hash) + c);
        }

        return hash;
    }

    private static UnloadField Ref(string name, string sysId, string display) =>
        new(name, sysId, [new("display_value", display)]);

    private sealed record SampleSet(string SysId, string RemoteSysId, string Name);

    /// <summary>Deterministic 32-hex-digit sys_ids.</summary>
    private sealed class SysIdSource(int seed)
    {
        private readonly Random _random = new(seed);
        private readonly byte[] _bytes = new byte[16];

        public string Next()
        {
            _random.NextBytes(_bytes);
            return Convert.ToHexStringLower(_bytes);
        }
    }
}
