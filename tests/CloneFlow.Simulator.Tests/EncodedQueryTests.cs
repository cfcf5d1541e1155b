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
}
