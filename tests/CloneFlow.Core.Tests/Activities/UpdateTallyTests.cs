using CloneFlow.Core.Activities;
using CloneFlow.Core.Runs;

namespace CloneFlow.Core.Tests.Activities;

public class UpdateTallyTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(100, 0)]
    [InlineData(101, 1)]
    [InlineData(200, 1)]
    [InlineData(201, 2)]
    [InlineData(2_000, 19)]
    public void A_page_starts_at_every_page_size_th_update_after_the_first_page(int updates, int pages)
    {
        var ids = Enumerable.Range(0, updates).Select(i => i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var tally = new UpdateTally();

        ids.ForEach(tally.Add);

        Assert.Equal(updates, tally.Count);
        Assert.Equal(Enumerable.Range(1, pages).Select(p => ids[p * PlannedSet.PageSize]), tally.PageStarts);
    }

    [Fact]
    public void Updates_out_of_sys_id_order_are_counted_but_leave_no_page_starts()
    {
        var tally = new UpdateTally();
        var ids = Enumerable.Range(0, 350).Select(i => (i < 150 ? i + 1_000 : i).ToString("x32", System.Globalization.CultureInfo.InvariantCulture)).ToList();

        ids.ForEach(tally.Add);

        Assert.Equal(350, tally.Count);
        Assert.Empty(tally.PageStarts);
    }

    [Fact]
    public void Each_set_has_a_tally_of_its_own()
    {
        var tallies = new Dictionary<string, UpdateTally>(StringComparer.Ordinal);

        UpdateTally.Of(tallies, "a").Add("01");
        UpdateTally.Of(tallies, "a").Add("02");
        UpdateTally.Of(tallies, "b").Add("03");

        Assert.Equal(2, tallies["a"].Count);
        Assert.Equal(1, tallies["b"].Count);
    }
}
