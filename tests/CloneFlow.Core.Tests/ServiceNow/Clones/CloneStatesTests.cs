using CloneFlow.Core.ServiceNow.Clones;

namespace CloneFlow.Core.Tests.ServiceNow.Clones;

public class CloneStatesTests
{
    [Theory]
    [InlineData("Requested", CloneState.Requested)]
    [InlineData("scheduled", CloneState.Scheduled)]
    [InlineData("in_progress", CloneState.Active)]
    [InlineData("Active", CloneState.Active)]
    [InlineData("On Hold", CloneState.Hold)]
    [InlineData("Completed", CloneState.Completed)]
    [InlineData("Cancelled", CloneState.Canceled)]
    [InlineData("Error", CloneState.Error)]
    [InlineData("Rollback requested", CloneState.RollbackRequested)]
    [InlineData("Rolling back", CloneState.RollingBack)]
    [InlineData("Rolled back", CloneState.RolledBack)]
    [InlineData("Rollback failure", CloneState.RollbackFailed)]
    [InlineData("something new", CloneState.Unknown)]
    [InlineData(null, CloneState.Unknown)]
    public void State_texts_normalise(string? text, CloneState expected)
    {
        Assert.Equal(expected, CloneStates.Parse(text));
    }

    [Fact]
    public void Open_and_final_states_do_not_overlap_and_unknown_is_neither()
    {
        foreach (var state in Enum.GetValues<CloneState>())
        {
            Assert.False(state.IsOpen() && state.IsFinal(), state.ToString());
        }

        Assert.False(CloneState.Unknown.IsOpen());
        Assert.False(CloneState.Unknown.IsFinal());
        Assert.True(CloneState.Hold.IsOpen());
        Assert.True(CloneState.Completed.IsFinal());
    }
}
