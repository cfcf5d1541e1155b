using CloneFlow.Simulator.Cicd;
using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Http;

/// <summary>The CI/CD API (<c>/api/sn_cicd/...</c>): asynchronous update-set and plugin calls polled through progress.</summary>
internal sealed class CicdApi(SimulatedInstance instance)
{
    public SimResponse? TryHandle(SimRequest request, Principal user)
    {
        if (!request.Path.StartsWith("/api/sn_cicd/", StringComparison.Ordinal))
        {
            return null;
        }

        lock (instance.Gate)
        {
            if (!instance.Data("sys_plugins").Rows().Any(p => p["source"] == PluginCatalog.ContinuousDelivery && p.GetValueOrDefault("active") == "active"))
            {
                return Json.NoResource();
            }
        }

        if (!user.Has(SimulatorDefaults.CicdRole))
        {
            return Json.NotAuthorized($"User {user.UserName} needs the role {SimulatorDefaults.CicdRole} or admin to use the CI/CD API.");
        }

        var segments = request.Path.Trim('/').Split('/')[2..];
        var isPost = request.Method == "POST";
        return segments switch
        {
            ["progress", var id] when request.Method == "GET" => Progress(request, id),
            ["update_set", "preview", var id] when isPost => Start(request, CicdJobKind.Preview, id, false),
            ["update_set", "commit", var id] when isPost => Start(request, CicdJobKind.Commit, id, request.Flag("force_commit")),
            ["update_set", "commitMultiple"] when isPost => Param(request, "remote_update_set_ids") is { Length: > 0 } ids
                ? Start(request, CicdJobKind.CommitMultiple, ids, request.Flag("force_commit"))
                : Json.Error(400, "Missing parameter remote_update_set_ids", "Pass the remote update set sys_ids, comma separated, in commit order."),
            ["update_set", "back_out"] when isPost => Param(request, "update_set_id") is { Length: > 0 } id
                ? Start(request, CicdJobKind.BackOut, id, request.Flag("rollback_installs"))
                : Json.Error(400, "Missing parameter update_set_id", "Pass the sys_id of the local update set to back out."),
            ["update_set", "create"] when isPost => Create(request, user),
            ["plugin", var id, "activate"] when isPost => Start(request, CicdJobKind.PluginActivate, id, false),
            ["plugin", var id, "rollback"] when isPost => Start(request, CicdJobKind.PluginRollback, id, false),
            _ => Json.NoResource(),
        };
    }

    private static string? Param(SimRequest request, string name) =>
        request.Param(name) ?? (Json.ReadFields(request.Body) is { } body ? body.GetValueOrDefault(name) : null);

    private SimResponse Start(SimRequest request, CicdJobKind kind, string target, bool force)
    {
        lock (instance.Gate)
        {
            var job = instance.Cicd.Enqueue(kind, target, force);
            return Render(request, job);
        }
    }

    private SimResponse Progress(SimRequest request, string id)
    {
        lock (instance.Gate)
        {
            var job = instance.Cicd.Find(id);
            return job is null
                ? Json.Error(404, "No Record found", $"No progress record {id} exists on this instance")
                : Render(request, job);
        }
    }

    private SimResponse Create(SimRequest request, Principal user)
    {
        var name = Param(request, "update_set_name");
        if (string.IsNullOrEmpty(name))
        {
            return Json.Error(400, "Missing parameter update_set_name", "Pass the name of the update set to create.");
        }

        lock (instance.Gate)
        {
            var scope = Param(request, "sys_id") ?? Param(request, "scope") ?? "global";
            var scopeRow = instance.Data("sys_scope").Get(scope)
                ?? instance.Data("sys_scope").Rows().FirstOrDefault(s => s.GetValueOrDefault("scope") == scope);
            if (scopeRow is null)
            {
                return Json.Error(400, "Invalid scope", $"No application with scope or sys_id '{scope}' exists on this instance.");
            }

            var row = RecordWriter.Insert(instance, "sys_update_set", new Dictionary<string, string>
            {
                ["name"] = name,
                ["description"] = Param(request, "description") ?? string.Empty,
                ["state"] = "in progress",
                ["application"] = scopeRow["sys_id"],
                ["is_default"] = "false",
            }, user.UserName).Row!;
            return Json.Serialize(201, new { result = new { update_set_id = row["sys_id"], status = "2", status_label = "Successful" } });
        }
    }

    private SimResponse Render(SimRequest request, CicdJob job)
    {
        var links = new Dictionary<string, object>
        {
            ["progress"] = new { id = job.Id, url = $"{request.BaseUrl}/api/sn_cicd/progress/{job.Id}" },
        };
        if (job.Results is { } results)
        {
            links["results"] = new { id = results.SysId, url = $"{request.BaseUrl}/api/now/table/{results.Table}/{results.SysId}" };
        }

        return Json.Serialize(200, new
        {
            result = new
            {
                links,
                status = job.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                status_label = CicdJob.Labels[job.Status],
                status_message = job.StatusMessage,
                status_detail = job.StatusDetail,
                error = job.Error,
                percent_complete = job.PercentComplete(instance.Clock.UtcNow),
            },
        });
    }
}
