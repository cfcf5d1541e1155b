using CloneFlow.Core.ServiceNow.Clones;

namespace CloneFlow.IntegrationTests.ServiceNow.Clones;

/// <summary>The table clone driver against the simulator's clone engine.</summary>
public class TableCloneDriverTests
{
    [Fact]
    public async Task A_clone_through_the_driver_leaves_the_target_without_exactly_its_in_flight_work()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var driver = new TableCloneDriver(estate.Client("prod"));
        var test = estate["test"];
        var prod = estate["prod"];
        var inFlightSets = test.GetRecords("sys_update_set", "state=in progress^name!=Default").Select(r => r["sys_id"]).ToList();
        var uncommittedRemote = test.GetRecords("sys_remote_update_set", "state!=committed").Select(r => r["sys_id"]).ToList();
        var scopedApps = test.GetRecords("sys_app").Select(r => r["sys_id"]).ToList();
        var prodSets = prod.GetRecords("sys_update_set").Select(r => r["sys_id"]).Order(StringComparer.Ordinal).ToList();
        Assert.True(inFlightSets.Count >= 2 && uncommittedRemote.Count >= 1 && scopedApps.Count >= 1, "the seeded test instance holds in-flight work");
        Assert.True(test.IsPluginActive("com.snc.sdlc.agile.2.0") && !prod.IsPluginActive("com.snc.sdlc.agile.2.0"));

        var outcome = await driver.RequestCloneAsync(new CloneRequestSpec("clone-test-20260105080000", "prod", "test", string.Empty), CancellationToken.None);
        var statuses = new List<CloneStatus>();
        for (var i = 0; i < 40; i++)
        {
            estate.Advance(TimeSpan.FromMinutes(10));
            var status = (await driver.GetStatusAsync(outcome.Status!.Number, CancellationToken.None))!;
            statuses.Add(status);
            if (status.State.IsFinal())
            {
                break;
            }
        }

        Assert.Equal(CloneRequestKind.Created, outcome.Kind);
        Assert.Equal(CloneState.Completed, statuses[^1].State);
        Assert.Contains(statuses, s => s.State == CloneState.Active && s.Phase == "restore" && s.CanCancel);
        Assert.Contains(statuses, s => s.Phase == "post-clone cleanup" && !s.CanCancel);
        Assert.Empty(test.GetRecords("sys_update_set").Select(r => r["sys_id"]).Intersect(inFlightSets));
        Assert.Empty(test.GetRecords("sys_remote_update_set").Select(r => r["sys_id"]).Intersect(uncommittedRemote));
        Assert.Empty(test.GetRecords("sys_app").Select(r => r["sys_id"]).Intersect(scopedApps));
        Assert.False(test.IsPluginActive("com.snc.sdlc.agile.2.0"));
        Assert.Equal(prodSets, test.GetRecords("sys_update_set").Select(r => r["sys_id"]).Order(StringComparer.Ordinal));
        Assert.Equal("false", test.GetProperty("glide.email.smtp.active"));
        Assert.Null(await driver.FindOpenRequestAsync("test", CancellationToken.None));
    }

    [Fact]
    public async Task Requesting_again_for_the_same_run_finds_the_first_request_and_another_run_finds_the_target_busy()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var driver = new TableCloneDriver(estate.Client("prod"));
        var spec = new CloneRequestSpec("clone-test-20260105080000", "prod", "test", string.Empty);

        var first = await driver.RequestCloneAsync(spec, CancellationToken.None);
        var retry = await driver.RequestCloneAsync(spec, CancellationToken.None);
        var other = await driver.RequestCloneAsync(spec with { RunId = "clone-test-20260105090000" }, CancellationToken.None);

        Assert.Equal(CloneRequestKind.Created, first.Kind);
        Assert.Equal(CloneRequestKind.AlreadyRequested, retry.Kind);
        Assert.Equal(first.Status!.Number, retry.Status!.Number);
        Assert.Equal(CloneRequestKind.TargetBusy, other.Kind);
        Assert.Equal(first.Status.Number, other.Status!.Number);
        Assert.Single(estate["prod"].GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task Cancel_works_before_node_repoint_and_is_refused_after()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var driver = new TableCloneDriver(estate.Client("prod"));
        var early = await driver.RequestCloneAsync(new CloneRequestSpec("run-a", "prod", "test", string.Empty), CancellationToken.None);
        estate.Advance(TimeSpan.FromMinutes(30));

        var canceled = await driver.CancelAsync(early.Status!.Number, CancellationToken.None);

        Assert.True(canceled.Canceled);
        Assert.Equal(CloneState.Canceled, canceled.Status!.State);

        var late = await driver.RequestCloneAsync(new CloneRequestSpec("run-b", "prod", "dev", string.Empty), CancellationToken.None);
        CloneStatus status;
        do
        {
            estate.Advance(TimeSpan.FromMinutes(10));
            status = (await driver.GetStatusAsync(late.Status!.Number, CancellationToken.None))!;
        }
        while (status.Phase is not ("node repoint" or "schedule scripts" or "post-clone cleanup") && !status.State.IsFinal());

        var refused = await driver.CancelAsync(late.Status!.Number, CancellationToken.None);

        Assert.False(refused.Canceled);
        Assert.Contains("can no longer be canceled", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_target_is_refused_by_the_instance_and_reported_as_refused()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var driver = new TableCloneDriver(estate.Client("dev"));

        var outcome = await driver.RequestCloneAsync(new CloneRequestSpec("run-x", "dev", "prod", string.Empty), CancellationToken.None);

        Assert.Equal(CloneRequestKind.Refused, outcome.Kind);
        Assert.False(string.IsNullOrEmpty(outcome.Reason));
        Assert.Empty(estate["dev"].GetRecords("sn_instance_clone_request"));
    }

    [Fact]
    public async Task The_manual_driver_asks_a_person_and_then_watches_the_number_they_give()
    {
        await using var estate = await SimulatedEstate.StartAsync();
        var manual = new ManualCloneDriver(estate.Client("prod"));
        var outcome = await manual.RequestCloneAsync(new CloneRequestSpec("run-m", "prod", "test", string.Empty), CancellationToken.None);
        // What the person does in the console: the instance creates the request and its number.
        var requested = await estate.Client("prod").InsertAsync("sn_instance_clone_request", new Dictionary<string, string?> { ["source_instance"] = "prod", ["target_instance"] = "test" });
        var number = requested.Get("number")!;

        var status = await manual.GetStatusAsync(number, CancellationToken.None);

        Assert.Equal(CloneRequestKind.NeedsPerson, outcome.Kind);
        Assert.Contains("Clone Admin Console", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(CloneState.Requested, status!.State);
        Assert.Null(await manual.GetStatusAsync("CLN9999999", CancellationToken.None));
    }
}
