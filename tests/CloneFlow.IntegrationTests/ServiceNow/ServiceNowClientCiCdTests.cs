using CloneFlow.Core.ServiceNow;
using CloneFlow.Core.ServiceNow.CiCd;
using CloneFlow.Core.ServiceNow.Tables;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.IntegrationTests.ServiceNow;

/// <summary>Re-inserting an exported update set and previewing/committing it through the client's CI/CD calls.</summary>
public class ServiceNowClientCiCdTests
{
    [Fact]
    public async Task An_exported_set_reinserted_previews_with_a_missing_object_then_commits_after_the_plugin_is_activated()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var test = estate.Client("test");
        var setId = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
        var records = SampleExport(setId, "sys_script_include", "rm_story");
        estate["test"].SetPluginActive("com.snc.sdlc.agile.2.0", false);
        Assert.False(estate["test"].TableExists("rm_story"));

        await test.EnsureInsertedAsync(RemoteUpdateSetRecord.TableName, [records.Set]);
        await test.EnsureInsertedAsync(UpdateXmlRecord.TableName, records.Updates);
        var preview = await RunAsync(estate, test, await test.StartUpdateSetPreviewAsync(setId));
        var problems = await ProblemsAsync(test, setId);

        Assert.Equal(CiCdStatus.Successful, preview.Status);
        var problem = Assert.Single(problems);
        Assert.Contains("rm_story", problem.Get("description"), StringComparison.Ordinal);

        var refused = await RunAsync(estate, test, await test.StartUpdateSetCommitAsync(setId));
        Assert.Equal(CiCdStatus.Failed, refused.Status);

        var activation = await RunAsync(estate, test, await test.StartPluginActivationAsync("com.snc.sdlc.agile.2.0"));
        var again = await RunAsync(estate, test, await test.StartUpdateSetPreviewAsync(setId));
        var commit = await RunAsync(estate, test, await test.StartUpdateSetCommitAsync(setId));

        Assert.Equal(CiCdStatus.Successful, activation.Status);
        Assert.Equal(CiCdStatus.Successful, again.Status);
        Assert.Empty(await ProblemsAsync(test, setId));
        Assert.Equal(CiCdStatus.Successful, commit.Status);
        Assert.Equal("committed", (await test.GetRecordAsync(RemoteUpdateSetRecord.TableName, setId))!.Get("state"));
        var local = new List<ServiceNowRecord>();
        await foreach (var row in test.GetRecordsAsync("sys_update_set", TableQuery.Where("name", "CloneFlow CI/CD check")))
        {
            local.Add(row);
        }

        Assert.Equal("complete", Assert.Single(local).Get("state"));
    }

    [Fact]
    public async Task A_problem_resolved_by_skipping_lets_the_commit_through()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var test = estate.Client("test");
        var setId = "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b";
        var records = SampleExport(setId, "no_such_plugin_table");
        await test.EnsureInsertedAsync(RemoteUpdateSetRecord.TableName, [records.Set]);
        await test.EnsureInsertedAsync(UpdateXmlRecord.TableName, records.Updates);
        await RunAsync(estate, test, await test.StartUpdateSetPreviewAsync(setId));

        var problem = Assert.Single(await ProblemsAsync(test, setId));
        await test.UpdateAsync("sys_update_preview_problem", problem.SysId, new Dictionary<string, string?> { ["status"] = "skipped" });
        var commit = await RunAsync(estate, test, await test.StartUpdateSetCommitAsync(setId));

        Assert.Equal(CiCdStatus.Successful, commit.Status);
    }

    private static async Task<CiCdProgress> RunAsync(SimulatedEstate estate, ServiceNowClient client, CiCdProgress started)
    {
        var progress = started;
        for (var i = 0; i < 200 && !progress.IsFinished; i++)
        {
            estate.Advance(TimeSpan.FromSeconds(15));
            progress = await client.GetProgressAsync(started.ProgressId);
        }

        return progress.IsFinished ? progress : throw new TimeoutException($"CI/CD job {started.ProgressId} did not finish");
    }

    private static async Task<List<ServiceNowRecord>> ProblemsAsync(ServiceNowClient client, string setId)
    {
        var problems = new List<ServiceNowRecord>();
        await foreach (var row in client.GetRecordsAsync("sys_update_preview_problem", TableQuery.Where("remote_update_set", setId).AndEmpty("status")))
        {
            problems.Add(row);
        }

        return problems;
    }

    /// <summary>A remote set and updates as an export would carry them, one update per payload table.</summary>
    private static (IReadOnlyDictionary<string, string?> Set, List<IReadOnlyDictionary<string, string?>> Updates) SampleExport(string setId, params string[] tables)
    {
        var set = new Dictionary<string, string?>
        {
            ["sys_id"] = setId, ["name"] = "CloneFlow CI/CD check", ["state"] = "loaded", ["application"] = "global",
            ["remote_sys_id"] = "7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c", ["parent"] = string.Empty, ["remote_base_update_set"] = string.Empty,
        };
        var updates = tables.Select((table, i) =>
        {
            var recordId = $"{i + 77:x32}";
            var payload = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><record_update table=\"{table}\"><{table} action=\"INSERT_OR_UPDATE\"><name>CloneFlowCheck{i}</name><sys_id>{recordId}</sys_id></{table}></record_update>";
            return (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>
            {
                ["sys_id"] = $"{i + 900:x32}", ["name"] = $"{table}_{recordId}", ["action"] = "INSERT_OR_UPDATE", ["type"] = "Record",
                ["remote_update_set"] = setId, ["payload"] = payload, ["table"] = table, ["category"] = "customer",
            };
        }).ToList();
        return (set, updates);
    }
}
