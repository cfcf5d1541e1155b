using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Tests.ServiceNow.Tables;

public class SysIdSplitTests
{
    [Fact]
    public void Ranges_at_given_starts_run_below_the_first_between_each_pair_and_from_the_last_up()
    {
        var split = SysIdSplit.At(["4a", "9c"], atOnce: 2);

        var ranges = split.RangesOf(TableQuery.Where("update_set", "s1")).Select(r => r.Encoded).ToList();

        Assert.Equal(
            ["update_set=s1^sys_id<4a", "update_set=s1^sys_id>=4a^sys_id<9c", "update_set=s1^sys_id>=9c"],
            ranges);
        Assert.Equal(3, split.Count);
        Assert.Equal(2, split.AtOnce);
    }

    [Theory]
    [InlineData(1, new string[0])]
    [InlineData(2, new[] { "8" })]
    [InlineData(4, new[] { "4", "8", "c" })]
    [InlineData(40, new[] { "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f" })]
    public void A_split_by_first_character_shares_the_hex_alphabet_and_reads_every_range_at_once(int partitions, string[] starts)
    {
        var split = SysIdSplit.ByFirstCharacter(partitions);

        Assert.Equal(starts, split.Starts);
        Assert.Equal(split.Count, split.AtOnce);
    }

    [Fact]
    public void Every_sys_id_falls_in_exactly_one_range()
    {
        var random = new Random(11);
        var ids = Enumerable.Range(0, 2_000).Select(_ => Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))).ToList();
        ids.AddRange(["", "0", "ffffffffffffffffffffffffffffffff"]);
        var starts = ids.Where(id => id.Length == 32).Order(StringComparer.Ordinal).Where((_, i) => i % 100 == 99).ToList();
        var split = SysIdSplit.At(starts, atOnce: 3);
        ids.AddRange(starts);

        foreach (var id in ids)
        {
            var below = starts.Count(s => string.CompareOrdinal(s, id) <= 0);
            var holding = Enumerable.Range(0, split.Count).Where(i => Holds(split, i, id)).ToList();
            Assert.Equal([below], holding);
        }
    }

    [Theory]
    [InlineData("9", "4")]
    [InlineData("4", "4")]
    [InlineData("4", "")]
    public void Starts_out_of_order_repeated_or_empty_are_refused(string first, string second)
    {
        Assert.Throws<ArgumentException>(() => SysIdSplit.At([first, second], 2));
    }

    [Fact]
    public void Ranges_read_at_once_stay_between_one_and_the_number_of_ranges()
    {
        Assert.Equal(3, SysIdSplit.At(["4", "8"], 10).AtOnce);
        Assert.Equal(1, SysIdSplit.At(["4", "8"], 0).AtOnce);
        Assert.Equal(["everything"], SysIdSplit.ByFirstCharacter(1).RangesOf(TableQuery.All).Select(r => r.Encoded.Length == 0 ? "everything" : r.Encoded));
    }

    /// <summary>Whether range <paramref name="index"/> of the split holds <paramref name="id"/>, as the ranges' queries compare (ordinal).</summary>
    private static bool Holds(SysIdSplit split, int index, string id) =>
        (index == 0 || string.CompareOrdinal(id, split.Starts[index - 1]) >= 0)
        && (index == split.Starts.Count || string.CompareOrdinal(id, split.Starts[index]) < 0);
}
