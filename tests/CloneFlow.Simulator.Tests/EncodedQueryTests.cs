using CloneFlow.Simulator.Data;

namespace CloneFlow.Simulator.Tests;

public sealed class EncodedQueryTests
{
    [Fact]
    public void Or_joins_the_previous_clause_and_caret_caret_escapes_a_caret()
    {
        var query = EncodedQuery.Parse("a=1^ORb=2^c=x^^y");
        var clauses = Assert.Single(query.Groups);
        Assert.Equal(2, clauses.Count);
        Assert.Equal(["a", "b"], clauses[0].Select(c => c.Field));
        Assert.Equal("x^y", clauses[1][0].Value);
    }

    [Fact]
    public void Negative_operators_do_not_match_empty_values()
    {
        var condition = EncodedQuery.Parse("state!=committed").Groups[0][0][0];
        Assert.False(condition.Test(string.Empty));
        Assert.True(condition.Test("loaded"));
    }

    [Theory]
    [InlineData("2e000000000000000000000000000000", "10000000000000000000000000000000", 1)]
    [InlineData("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdee", 1)]
    [InlineData("10", "9", 1)]
    [InlineData("b", "A", 1)]
    public void Sys_ids_compare_as_text_and_other_values_as_numbers_when_both_are(string a, string b, int sign)
    {
        // As numbers "2e000..." would be 2 and come before "1000..." (1e31); ServiceNow orders sys_ids as text.
        Assert.Equal(sign, Math.Sign(EncodedQuery.CompareValues(a, b)));
        Assert.Equal(-sign, Math.Sign(EncodedQuery.CompareValues(b, a)));
    }

    [Fact]
    public void A_sys_id_range_compares_as_text_and_other_ranges_as_numbers()
    {
        // "9..." > "10..." as text; as numbers "10" > "9". A sys_id range never reads its values as numbers.
        var sysId = EncodedQuery.Parse("sys_id>10000000000000000000000000000000").Groups[0][0][0];
        Assert.True(sysId.Test("90000000000000000000000000000000"));
        Assert.False(sysId.Test("0fffffffffffffffffffffffffffffff"));

        var number = EncodedQuery.Parse("priority>10").Groups[0][0][0];
        Assert.False(number.Test("9"));
        Assert.True(number.Test("11"));
        Assert.True(EncodedQuery.ComparisonFor("sys_id")("9", "10") > 0);
        Assert.True(EncodedQuery.ComparisonFor("priority")("9", "10") < 0);
    }
}
