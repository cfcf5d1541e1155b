using System.Text.Json;
using CloneFlow.Core.ServiceNow.CiCd;

namespace CloneFlow.Core.Tests.ServiceNow.CiCd;

public class CiCdProgressTests
{
    [Fact]
    public void Reads_the_documented_progress_shape()
    {
        const string json = """
            {"links":{"progress":{"id":"a4fae8911bdc00103d374087bc4bcb6d","url":"https://x.service-now.com/api/sn_cicd/progress/a4fae8911bdc00103d374087bc4bcb6d"},
                      "results":{"id":"2891389d1b1040103d374087bc4bcb09","url":"..."}},
             "status":"2","status_label":"Successful","status_message":"This operation succeeded","status_detail":"","error":"","percent_complete":100}
            """;

        var progress = CiCdProgress.FromJson(JsonDocument.Parse(json).RootElement);

        Assert.Equal("a4fae8911bdc00103d374087bc4bcb6d", progress.ProgressId);
        Assert.Equal(CiCdStatus.Successful, progress.Status);
        Assert.True(progress.IsFinished);
        Assert.Equal(100, progress.PercentComplete);
        Assert.Equal("2891389d1b1040103d374087bc4bcb09", progress.ResultsId);
        Assert.Null(progress.Error);
        Assert.Null(progress.Detail);
    }

    [Theory]
    [InlineData("0", CiCdStatus.Pending, false)]
    [InlineData("1", CiCdStatus.Running, false)]
    [InlineData("3", CiCdStatus.Failed, true)]
    [InlineData("4", CiCdStatus.Canceled, true)]
    public void Every_status_code_maps(string code, CiCdStatus status, bool finished)
    {
        var json = $$$"""{"links":{"progress":{"id":"p1"}},"status":"{{{code}}}","percent_complete":"40"}""";

        var progress = CiCdProgress.FromJson(JsonDocument.Parse(json).RootElement);

        Assert.Equal(status, progress.Status);
        Assert.Equal(finished, progress.IsFinished);
        Assert.Equal(40, progress.PercentComplete);
    }

    [Fact]
    public void An_unknown_status_or_a_missing_progress_link_is_an_error()
    {
        Assert.Throws<JsonException>(() => CiCdProgress.FromJson(JsonDocument.Parse("""{"links":{"progress":{"id":"p"}},"status":"9"}""").RootElement));
        Assert.Throws<JsonException>(() => CiCdProgress.FromJson(JsonDocument.Parse("""{"status":"1"}""").RootElement));
    }
}
