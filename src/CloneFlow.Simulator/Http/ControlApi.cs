using System.Text.Json;
using CloneFlow.Simulator.Data;
using CloneFlow.Simulator.Faults;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.Simulator.Http;

/// <summary>
/// The test control surface under <c>/_simulator/</c>: inspect and seed tables, set faults and rate
/// limits, move the clock. Unauthenticated: it only listens on loopback and is not part of ServiceNow.
/// </summary>
internal sealed class ControlApi(SimulatedInstance instance)
{
    public SimResponse Handle(SimRequest request)
    {
        var segments = request.Path.Trim('/').Split('/')[1..];
        try
        {
            return (request.Method, segments) switch
            {
                ("GET", []) => State(),
                ("GET", ["clock"]) => Clock(),
                ("GET", ["calls"]) => Calls(request),
                ("POST", ["clock", "advance"]) => Advance(request),
                ("GET", ["tables", var table]) => Records(table, request.Param("sysparm_query")),
                ("POST", ["tables", var table]) => Insert(table, request.Body),
                ("DELETE", ["tables", var table]) => Clear(table),
                ("GET", ["faults"]) => Json.Serialize(200, instance.Faults),
                ("PUT", ["faults"]) => SetFaults(request.Body),
                ("PUT", ["clone-faults"]) => SetCloneFaults(request.Body),
                ("POST", ["outage"]) => BeginOutage(request.Body),
                ("DELETE", ["outage"]) => EndOutage(),
                ("PUT", ["rate-limit"]) => SetRateLimit(request.Body),
                ("PUT", ["settings"]) => SetSettings(request.Body),
                ("POST", ["clones", var number, "resume"]) => instance.ResumeClone(number)
                    ? Json.Serialize(200, new { resumed = number })
                    : Json.Error(404, "No held clone", $"No clone {number} is on hold on {instance.Name}"),
                ("POST", ["console", "clones"]) => RequestInConsole(request.Body),
                ("GET", ["source-control"]) => SourceControlState(),
                ("POST", ["source-control", "link"]) => LinkApp(request.Body),
                ("POST", ["source-control", "commit"]) => CommitApp(request.Body),
                ("POST", ["seed"]) => Seed(request.Body),
                ("POST", ["restart"]) => Restart(request.Body),
                _ => Json.Error(404, "Unknown control endpoint", $"{request.Method} {request.Path} is not a simulator control endpoint"),
            };
        }
        catch (JsonException ex)
        {
            return Json.Error(400, "Invalid control request", ex.Message);
        }
    }

    private SimResponse State()
    {
        lock (instance.Gate)
        {
            return Json.Serialize(200, new
            {
                name = instance.Name,
                clock = SnTime.Text(instance.Clock.UtcNow),
                production = instance.IsProduction,
                restarting_until = instance.IsRestartingCore(instance.Clock.UtcNow) ? instance.RestartingUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null,
                rate_limit_per_hour = instance.RateLimitPerHour,
                api_calls = instance.ApiCalls,
                tables = instance.AllTables.Where(t => instance.TableExistsCore(t.Key)).ToDictionary(t => t.Key, t => t.Value.Count),
            });
        }
    }

    /// <summary>The API calls that arrived between <c>from</c> and <c>to</c> (Unix milliseconds, wall clock; everything kept when left out).</summary>
    private SimResponse Calls(SimRequest request)
    {
        var calls = instance.Calls.Between(Millis("from", long.MinValue), Millis("to", long.MaxValue));
        return Json.Serialize(200, new { calls = calls.Calls, first_start_ms = calls.FirstStartMs, last_end_ms = calls.LastEndMs, busy_ms = calls.BusyMs });

        long Millis(string name, long otherwise) =>
            long.TryParse(request.Param(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : otherwise;
    }

    private SimResponse Clock() => Json.Serialize(200, new { now = SnTime.Text(instance.Clock.UtcNow) });

    private SimResponse Advance(SimRequest request)
    {
        var body = Read<AdvanceBody>(request.Body) ?? new AdvanceBody();
        var seconds = body.Seconds ?? (request.Param("seconds") is { } text && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0);
        instance.Clock.Advance(TimeSpan.FromSeconds(seconds));
        instance.World.Tick();
        return Clock();
    }

    private SimResponse Records(string table, string? query)
    {
        var rows = instance.GetRecords(table, query);
        return Json.Serialize(200, new { result = rows });
    }

    private SimResponse Insert(string table, byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var items = document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.EnumerateArray().ToList()
            : [document.RootElement];
        var ids = new List<string>();
        foreach (var item in items)
        {
            var fields = item.EnumerateObject().ToDictionary(p => p.Name, p => Json.Text(p.Value), StringComparer.Ordinal);
            ids.Add(instance.InsertRecord(table, fields));
        }

        return Json.Serialize(201, new { sys_ids = ids });
    }

    private SimResponse Clear(string table)
    {
        lock (instance.Gate)
        {
            instance.Data(table).Clear();
        }

        return new SimResponse(204);
    }

    private SimResponse SetFaults(byte[] body)
    {
        instance.Faults = Read<FaultSettings>(body) ?? new FaultSettings();
        return Json.Serialize(200, instance.Faults);
    }

    private SimResponse BeginOutage(byte[] body)
    {
        var seconds = Read<AdvanceBody>(body)?.Seconds;
        instance.BeginOutage(seconds is { } s ? TimeSpan.FromSeconds(s) : null);
        return Json.Serialize(200, instance.Faults);
    }

    private SimResponse EndOutage()
    {
        instance.EndOutage();
        return Json.Serialize(200, instance.Faults);
    }

    private SimResponse SetCloneFaults(byte[] body)
    {
        instance.CloneFaults = Read<CloneFaults>(body) ?? new CloneFaults();
        return Json.Serialize(200, instance.CloneFaults);
    }

    private SimResponse SetRateLimit(byte[] body)
    {
        instance.RateLimitPerHour = Read<RateLimitBody>(body)?.PerHour ?? 0;
        return Json.Serialize(200, new { per_hour = instance.RateLimitPerHour });
    }

    private SimResponse SetSettings(byte[] body)
    {
        var settings = Read<SettingsBody>(body) ?? new SettingsBody();
        if (settings.EnforceCloneInterval is { } enforce)
        {
            lock (instance.Gate)
            {
                instance.World.EnforceCloneInterval = enforce;
            }
        }

        if (settings.PasswordGrantEnabled is { } password)
        {
            instance.PasswordGrantEnabled = password;
        }

        if (settings.ClientCredentialsEnabled is { } clientCredentials)
        {
            instance.SetProperty(SimulatedInstance.ClientCredentialsProperty, clientCredentials ? "true" : "false");
        }

        return Json.Serialize(200, new { enforce_clone_interval = instance.World.EnforceCloneInterval, password_grant_enabled = instance.PasswordGrantEnabled });
    }

    private SimResponse Seed(byte[] body)
    {
        var seed = Read<SeedBody>(body) ?? new SeedBody();
        var estate = new EstateOptions
        {
            InProgressSets = seed.InProgressSets ?? new EstateOptions().InProgressSets,
            UpdatesPerSet = seed.UpdatesPerSet ?? new EstateOptions().UpdatesPerSet,
        };
        instance.Reset();
        new EstateSeeder(seed.Seed ?? 1, estate).Seed(instance);
        return State();
    }

    /// <summary>What the Clone Admin Console does when a person requests a clone of this instance: 201 with the request number, or 403 with the reason.</summary>
    private SimResponse RequestInConsole(byte[] body)
    {
        var asked = Read<ConsoleCloneBody>(body) ?? new ConsoleCloneBody();
        try
        {
            return Json.Serialize(201, new { number = instance.RequestCloneInConsole(asked.Target ?? string.Empty, asked.Profile, asked.User ?? "admin") });
        }
        catch (InvalidOperationException ex)
        {
            return Json.Error(403, "Clone not requested", ex.Message);
        }
    }

    /// <summary>The world's Git repositories (head commit and file paths per branch) and this instance's pending post-clone import.</summary>
    private SimResponse SourceControlState()
    {
        lock (instance.Gate)
        {
            var pending = instance.SourceControl.Pending;
            return Json.Serialize(200, new
            {
                repositories = instance.World.Git.Repositories.Values.Select(r => new
                {
                    url = r.Url,
                    branches = r.Branches.Select(b => new
                    {
                        name = b,
                        commits = r.Log(b).Count,
                        head = r.Head(b)?.Id,
                        message = r.Head(b)?.Message,
                        files = r.Head(b)?.Files.Select(f => f.Path).ToList() ?? [],
                    }).ToList(),
                }).ToList(),
                pending_import = pending is { } p ? new { due = SnTime.Text(p.Due), scopes = p.Scopes } : null,
            });
        }
    }

    /// <summary>What a developer does in Studio: "Link to source control" (201 with the <c>sys_repo_config</c> sys_id, 403 when refused).</summary>
    private SimResponse LinkApp(byte[] body)
    {
        var asked = Read<SourceControlBody>(body) ?? new SourceControlBody();
        try
        {
            var config = instance.LinkToSourceControl(asked.Scope ?? string.Empty, asked.Url ?? string.Empty, asked.Branch ?? "main", asked.User ?? "admin");
            return Json.Serialize(201, new { sys_repo_config = config });
        }
        catch (ArgumentException ex)
        {
            return Json.Error(400, "Invalid link request", ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return Json.Error(403, "Not linked", ex.Message);
        }
    }

    /// <summary>What a developer does in Studio: "Commit changes" of a linked app (201 with the commit id).</summary>
    private SimResponse CommitApp(byte[] body)
    {
        var asked = Read<SourceControlBody>(body) ?? new SourceControlBody();
        try
        {
            return Json.Serialize(201, new { commit = instance.CommitToSourceControl(asked.Scope ?? string.Empty, asked.Message ?? "Commit changes", asked.User ?? "admin") });
        }
        catch (InvalidOperationException ex)
        {
            return Json.Error(403, "Not committed", ex.Message);
        }
    }

    private SimResponse Restart(byte[] body)
    {
        instance.BeginRestart(TimeSpan.FromSeconds(Read<AdvanceBody>(body)?.Seconds ?? 900));
        return State();
    }

    private static T? Read<T>(byte[] body) where T : class =>
        body.Length == 0 ? null : JsonSerializer.Deserialize<T>(body, Json.SerializerOptions);

    private sealed record AdvanceBody(double? Seconds = null);

    private sealed record ConsoleCloneBody(string? Target = null, string? Profile = null, string? User = null);

    private sealed record RateLimitBody(int? PerHour = null);

    private sealed record SettingsBody(bool? EnforceCloneInterval = null, bool? PasswordGrantEnabled = null, bool? ClientCredentialsEnabled = null);

    private sealed record SourceControlBody(string? Scope = null, string? Url = null, string? Branch = null, string? Message = null, string? User = null);

    private sealed record SeedBody(int? Seed = null, int? InProgressSets = null, int? UpdatesPerSet = null);
}
