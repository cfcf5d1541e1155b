using CloneFlow.Core.Activities;
using CloneFlow.Core.ServiceNow.CiCd;
using CloneFlow.Simulator.Seeding;

namespace CloneFlow.IntegrationTests.Activities;

/// <summary>CI/CD jobs started again by a retried or replayed activity.</summary>
public sealed class CiCdActivitiesTests : IAsyncLifetime
{
    private ActivityStack _stack = null!;

    public async Task InitializeAsync() => _stack = await ActivityStack.StartAsync(new EstateOptions { InProgressSets = 1, UpdatesPerSet = 2 });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_set_an_earlier_attempt_committed_counts_as_done_when_it_is_previewed_or_committed_again()
    {
        var test = _stack.Simulator["test"];
        var set = test.GetRecords("sys_remote_update_set", "state=loaded")[0]["sys_id"];
        Assert.Equal(CiCdStatus.Successful, (await RunAsync(CiCdOperation.Preview, set)).Status);
        Assert.Equal(CiCdStatus.Successful, (await RunAsync(CiCdOperation.Commit, set)).Status);
        var localSets = test.GetRecords("sys_update_set").Count;

        var again = await RunAsync(CiCdOperation.Commit, set);
        var previewAgain = await RunAsync(CiCdOperation.Preview, set);

        Assert.Equal((CiCdStatus.Successful, CiCdStatus.Successful), (again.Status, previewAgain.Status));
        Assert.Contains("already committed", again.Message, StringComparison.Ordinal);
        Assert.Equal(localSets, test.GetRecords("sys_update_set").Count);
    }

    private async Task<CiCdState> RunAsync(CiCdOperation operation, string subject)
    {
        var state = await new StartCiCdActivity(_stack.Services).ExecuteAsync(new CiCdStart("run", "test", operation, subject));
        for (var poll = 0; !state.IsFinished && poll < 600; poll++)
        {
            // The simulator's clock stands still here: a job advances as its time is moved on.
            _stack.Simulator.Clock.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(20);
            state = await new CiCdProgressActivity(_stack.Services).ExecuteAsync(new CiCdPoll("run", "test", state.ProgressId));
        }

        return state;
    }
}
