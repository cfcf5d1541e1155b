using System.Globalization;
using System.Text;
using System.Text.Json;
using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Http;

/// <summary>The Table API: <c>/api/now/table/{table}</c>, <c>/api/now/v1/table/...</c> and <c>/api/now/v2/table/...</c>.</summary>
internal sealed class TableApi(SimulatedInstance instance)
{
    public const int DefaultLimit = 10000;

    private static readonly HashSet<string> CloneTables = new(StringComparer.Ordinal)
    {
        Clones.CloneEngine.RequestTable, "clone_profile", "clone_data_preserver", "clone_data_exclude",
    };

    /// <summary>Answers the call, or null when the path is not a Table API path.</summary>
    public SimResponse? TryHandle(SimRequest request, Principal user)
    {
        var segments = request.Path.Trim('/').Split('/');
        if (segments.Length < 4 || segments[0] != "api" || segments[1] != "now")
        {
            return null;
        }

        var index = 2;
        // The unversioned URL is the latest version on current instances (v2: an empty match is 200 with an empty result).
        var version = 2;
        if (segments[2] is "v1" or "v2")
        {
            version = segments[2] == "v2" ? 2 : 1;
            index = 3;
        }

        if (segments.Length <= index + 1 || segments[index] != "table" || segments.Length > index + 3)
        {
            return null;
        }

        var table = segments[index + 1];
        var sysId = segments.Length == index + 3 ? segments[index + 2] : null;
        var prefix = "/" + string.Join('/', segments.Take(index)) + "/";

        var role = CloneTables.Contains(table) ? SimulatorDefaults.CloneAdminRole : SimulatorDefaults.AdminRole;
        if (!user.Has(role))
        {
            return Json.NotAuthorized($"User {user.UserName} lacks the role {role} needed to access table {table}.");
        }

        return (request.Method, sysId) switch
        {
            ("GET", null) => List(request, table, version, prefix),
            ("GET", _) => Get(request, table, sysId),
            ("POST", null) => Insert(request, table, user),
            ("PATCH" or "PUT", not null) => Update(request, table, sysId, user),
            ("DELETE", not null) => Delete(table, sysId),
            _ => Json.Error(405, "Method not Supported", $"{request.Method} is not supported on {request.Path}"),
        };
    }

    private static SimResponse InvalidTable(string table) => Json.Error(400, $"Invalid table {table}", null);

    private static SimResponse NotFound() => Json.Error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");

    private SimResponse List(SimRequest request, string table, int version, string prefix)
    {
        var limit = ParseInt(request.Param("sysparm_limit"), DefaultLimit);
        if (limit <= 0)
        {
            limit = DefaultLimit;
        }

        var offset = Math.Max(0, ParseInt(request.Param("sysparm_offset"), 0));
        var options = RenderOptions.From(request);
        List<IReadOnlyDictionary<string, string>> page;
        int total;
        TableSchema schema;
        byte[]? rendered = null;
        lock (instance.Gate)
        {
            if (!instance.TableExistsCore(table))
            {
                return InvalidTable(table);
            }

            schema = instance.Schemas.Get(table);
            var matched = instance.Query(table, request.Param("sysparm_query")).ToList();
            total = matched.Count;
            page = matched.Skip(offset).Take(limit).ToList();
            if (options.NeedsLookups)
            {
                // Display values and dot-walks read other rows: rendered under the lock, as bytes.
                rendered = Json.Write(w => RenderList(w, schema, page, options));
            }
        }

        if (page.Count == 0 && version == 1)
        {
            return Json.Error(404, "No Record found", "Records matching query not found. Check query parameter or offset parameter");
        }

        // Rows are replaced, never changed in place, so a page of plain values renders outside the lock, as it is sent.
        var response = rendered is not null ? new SimResponse(200, rendered) : new SimResponse(200, w => RenderList(w, schema, page, options));
        var noCount = request.Flag("sysparm_no_count");
        if (!noCount)
        {
            response.With("X-Total-Count", total.ToString(CultureInfo.InvariantCulture));
        }

        if (!request.Flag("sysparm_suppress_pagination_header"))
        {
            response.With("Link", LinkHeader(request, prefix + "table/" + table, offset, limit, noCount ? null : total, page.Count));
        }

        return response;
    }

    private SimResponse Get(SimRequest request, string table, string sysId)
    {
        var options = RenderOptions.From(request);
        lock (instance.Gate)
        {
            if (!instance.TableExistsCore(table))
            {
                return InvalidTable(table);
            }

            var row = instance.Data(table).Get(sysId);
            return row is null ? NotFound() : new SimResponse(200, RenderOne(instance.Schemas.Get(table), row, options));
        }
    }

    private SimResponse Insert(SimRequest request, string table, Principal user)
    {
        var body = Json.ReadFields(request.Body);
        if (body is null)
        {
            return Json.Error(400, "Exception while reading request", "The request body is not a JSON object.");
        }

        var options = RenderOptions.From(request);
        lock (instance.Gate)
        {
            if (!instance.TableExistsCore(table))
            {
                return InvalidTable(table);
            }

            var result = RecordWriter.Insert(instance, table, body, user.UserName);
            return result.Row is null
                ? Json.Error(result.Status, result.Message!, result.Detail)
                : new SimResponse(201, RenderOne(instance.Schemas.Get(table), result.Row, options))
                    .With("Location", $"{request.BaseUrl}/api/now/table/{table}/{result.Row["sys_id"]}");
        }
    }

    private SimResponse Update(SimRequest request, string table, string sysId, Principal user)
    {
        var body = Json.ReadFields(request.Body);
        if (body is null)
        {
            return Json.Error(400, "Exception while reading request", "The request body is not a JSON object.");
        }

        var options = RenderOptions.From(request);
        lock (instance.Gate)
        {
            if (!instance.TableExistsCore(table))
            {
                return InvalidTable(table);
            }

            var result = RecordWriter.Update(instance, table, sysId, body, user.UserName);
            return result.Row is null
                ? Json.Error(result.Status, result.Message!, result.Detail)
                : new SimResponse(200, RenderOne(instance.Schemas.Get(table), result.Row, options));
        }
    }

    private SimResponse Delete(string table, string sysId)
    {
        lock (instance.Gate)
        {
            if (!instance.TableExistsCore(table))
            {
                return InvalidTable(table);
            }

            return RecordWriter.Delete(instance, table, sysId) ? new SimResponse(204) : NotFound();
        }
    }

    private void RenderList(Utf8JsonWriter w, TableSchema schema, List<IReadOnlyDictionary<string, string>> rows, RenderOptions options)
    {
        w.WriteStartObject();
        w.WriteStartArray("result");
        foreach (var row in rows)
        {
            RecordRenderer.Write(w, instance, schema, row, options);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private byte[] RenderOne(TableSchema schema, IReadOnlyDictionary<string, string> row, RenderOptions options) =>
        Json.Write(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("result");
            RecordRenderer.Write(w, instance, schema, row, options);
            w.WriteEndObject();
        });

    /// <summary>ServiceNow's paging links: first and last always (last only when counted), prev and next when they exist.</summary>
    private static string LinkHeader(SimRequest request, string path, int offset, int limit, int? total, int returned)
    {
        var links = new List<string> { Link(request, path, 0, limit, "first") };
        if (offset > 0)
        {
            links.Add(Link(request, path, Math.Max(0, offset - limit), limit, "prev"));
        }

        var hasNext = total is { } count ? offset + limit < count : returned == limit;
        if (hasNext)
        {
            links.Add(Link(request, path, offset + limit, limit, "next"));
        }

        if (total is { } all)
        {
            links.Add(Link(request, path, all == 0 ? 0 : (all - 1) / limit * limit, limit, "last"));
        }

        return string.Join(',', links);
    }

    private static string Link(SimRequest request, string path, int offset, int limit, string rel)
    {
        var query = new StringBuilder();
        foreach (var (key, value) in request.Query)
        {
            if (key is "sysparm_offset" or "sysparm_limit")
            {
                continue;
            }

            query.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }

        query.Append("sysparm_limit=").Append(limit.ToString(CultureInfo.InvariantCulture))
            .Append("&sysparm_offset=").Append(offset.ToString(CultureInfo.InvariantCulture));
        return $"<{request.BaseUrl}{path}?{query}>;rel=\"{rel}\"";
    }

    private static int ParseInt(string? text, int fallback) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
