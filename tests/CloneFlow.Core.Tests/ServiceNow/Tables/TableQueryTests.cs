using CloneFlow.Core.ServiceNow.Tables;

namespace CloneFlow.Core.Tests.ServiceNow.Tables;

public class TableQueryTests
{
    [Fact]
    public void Builds_the_encoded_query_ServiceNow_expects()
    {
        var query = TableQuery.Where("state", "in progress")
            .AndNot("name", "Default")
            .AndIn("application", ["global", "x_acme_app"])
            .AndNotIn("sys_id", ["a", "b"])
            .AndEmpty("parent")
            .AndNotEmpty("name")
            .AndLike("description", "clone")
            .AndStartsWith("name", "Sprint")
            .AndGreaterThan("sys_id", "abc")
            .OrEqual("sys_id", "zzz")
            .OrderByDescending("sys_updated_on");

        Assert.Equal(
            "state=in progress^name!=Default^applicationINglobal,x_acme_app^sys_idNOT INa,b^parentISEMPTY^nameISNOTEMPTY^descriptionLIKEclone^nameSTARTSWITHSprint^sys_id>abc^ORsys_id=zzz^ORDERBYDESCsys_updated_on",
            query.Encoded);
        Assert.True(query.HasOrdering);
        Assert.Contains("application", query.Fields);
    }

    [Theory]
    [InlineData("x^sys_idISNOTEMPTY")]
    [InlineData("line\nbreak")]
    public void Values_cannot_inject_conditions(string value)
    {
        Assert.Throws<ArgumentException>(() => TableQuery.Where("name", value));
    }

    [Theory]
    [InlineData("Name")]
    [InlineData("name=x")]
    [InlineData("")]
    [InlineData("a^b")]
    public void Field_names_are_checked(string field)
    {
        Assert.Throws<ArgumentException>(() => TableQuery.Where(field, "x"));
    }

    [Fact]
    public void In_list_items_cannot_contain_commas_and_OR_needs_a_condition_before_it()
    {
        Assert.Throws<ArgumentException>(() => TableQuery.All.AndIn("name", ["a,b"]));
        Assert.Throws<InvalidOperationException>(() => TableQuery.All.OrEqual("name", "a"));
    }

    [Fact]
    public void Queries_are_immutable()
    {
        var basis = TableQuery.Where("a", "1");

        var extended = basis.And("b", "2");

        Assert.Equal("a=1", basis.Encoded);
        Assert.Equal("a=1^b=2", extended.Encoded);
        Assert.Equal(string.Empty, TableQuery.All.Encoded);
    }
}
