using System.Net;
using CloneFlow.Core.Http;
using CloneFlow.Core.Runs;
using CloneFlow.IntegrationTests.Workflow;

namespace CloneFlow.IntegrationTests.Http;

/// <summary>The approval page over HTTP: what it shows, what it accepts, what it refuses.</summary>
public class ApprovalPagesTests
{
    /// <summary>These runs are dry runs that still ask for the clone approval, so the page has a gate to show.</summary>
    private static Core.Configuration.PolicyConfiguration DryRunsAsked(Core.Configuration.PolicyConfiguration policies) => policies with { DryRunsNeedApproval = true };

    [Fact]
    public async Task The_page_shows_the_plan_and_a_posted_approval_moves_the_run_once()
    {
        await using var harness = await WorkflowHarness.StartAsync(policies: DryRunsAsked);
        await using var server = await ApprovalServer.StartAsync(harness);
        var runId = await harness.StartRunAsync(dryRun: true);
        await WaitForGateAsync(harness, runId, "clone");
        var link = server.LinkFor(harness, "clone", WorkflowHarness.Approver);
        using var http = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() });

        var page = await http.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("prod <span aria-hidden=\"true\">&rarr;</span>", html, StringComparison.Ordinal);
        Assert.Contains("Preserved across the clone", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        var antiForgery = Field(html, ApprovalPages.AntiForgeryName);

        var forged = await new HttpClient().PostAsync(link, Form(("decision", "approve"), (ApprovalPages.AntiForgeryName, antiForgery)));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        var decided = await http.PostAsync(link, Form(("decision", "approve"), ("comment", "<b>ok</b>"), (ApprovalPages.AntiForgeryName, antiForgery)));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Contains("Thank you: approved", await decided.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var replay = await http.PostAsync(link, Form(("decision", "reject"), (ApprovalPages.AntiForgeryName, antiForgery)));
        Assert.True(replay.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Gone, replay.StatusCode.ToString());
        var replayPage = await replay.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Preserved across the clone", replayPage, StringComparison.Ordinal);

        var result = await harness.RunToEndAsync(runId, _ => null);
        Assert.Equal(RunOutcome.DryRun, result.Outcome);
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        var approval = Assert.Single(report!.Approvals, a => a.Gate == "clone");
        Assert.Equal("approve", approval.Decision);
    }

    [Fact]
    public async Task A_tampered_link_is_403_and_shows_nothing_of_the_plan()
    {
        await using var harness = await WorkflowHarness.StartAsync(policies: DryRunsAsked);
        await using var server = await ApprovalServer.StartAsync(harness);
        var runId = await harness.StartRunAsync(dryRun: true);
        await WaitForGateAsync(harness, runId, "clone");
        var link = server.LinkFor(harness, "clone", WorkflowHarness.Approver).ToString();
        var tampered = new Uri(link[..^3] + (link[^3] == 'A' ? "B" : "A") + link[^2..]);

        var page = await new HttpClient().GetAsync(tampered);

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.DoesNotContain("Preserved across the clone", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await harness.CancelAsync(runId);
    }

    [Fact]
    public async Task Behind_Easy_Auth_a_decision_by_someone_signed_in_as_another_person_is_refused()
    {
        await using var harness = await WorkflowHarness.StartAsync(policies: DryRunsAsked);
        await using var server = await ApprovalServer.StartAsync(harness);
        var runId = await harness.StartRunAsync(dryRun: true);
        await WaitForGateAsync(harness, runId, "clone");
        var link = server.LinkFor(harness, "clone", WorkflowHarness.Approver);
        using var http = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() });
        var antiForgery = Field(await (await http.GetAsync(link)).Content.ReadAsStringAsync(), ApprovalPages.AntiForgeryName);
        using var request = new HttpRequestMessage(HttpMethod.Post, link) { Content = Form(("decision", "approve"), (ApprovalPages.AntiForgeryName, antiForgery)) };
        request.Headers.Add("X-MS-CLIENT-PRINCIPAL-NAME", "someone.else@acme.example");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("you are signed in as someone.else@acme.example", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.NotNull((await harness.StatusAsync(runId))?.PendingApprovals.SingleOrDefault(g => g.Gate == "clone"));
        await harness.CancelAsync(runId);
    }

    [Fact]
    public async Task Names_from_ServiceNow_are_escaped_on_the_page()
    {
        await using var harness = await WorkflowHarness.StartAsync(policies: DryRunsAsked);
        var set = harness.Simulator["test"].GetRecords("sys_update_set", "state=in progress^name!=Default")[0];
        harness.Simulator["test"].UpdateRecord("sys_update_set", set["sys_id"], new Dictionary<string, string> { ["name"] = "<img src=x onerror=alert(1)> & \"quotes\"" });
        await using var server = await ApprovalServer.StartAsync(harness);
        var runId = await harness.StartRunAsync(dryRun: true);
        await WaitForGateAsync(harness, runId, "clone");

        var html = await (await new HttpClient().GetAsync(server.LinkFor(harness, "clone", WorkflowHarness.Approver))).Content.ReadAsStringAsync();

        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;", html, StringComparison.Ordinal);
        await harness.CancelAsync(runId);
    }

    [Fact]
    public async Task A_link_for_a_finished_run_is_410()
    {
        await using var harness = await WorkflowHarness.StartAsync(policies: DryRunsAsked);
        await using var server = await ApprovalServer.StartAsync(harness);
        var runId = await harness.StartRunAsync(dryRun: true);
        await WaitForGateAsync(harness, runId, "clone");
        var link = server.LinkFor(harness, "clone", WorkflowHarness.Approver);
        await harness.CancelAsync(runId);
        await harness.RunToEndAsync(runId, _ => null);

        var page = await new HttpClient().GetAsync(link);

        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
    }

    internal static async Task WaitForGateAsync(WorkflowHarness harness, string runId, string gate)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await harness.StatusAsync(runId))?.PendingApprovals.Any(g => g.Gate == gate) == true && harness.Notifier.Sent.Any(n => n.Notification.Gate == gate))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Run {runId} never waited on the {gate} gate.");
    }

    private static string Field(string html, string name)
    {
        var marker = $"name=\"{name}\" value=\"";
        var start = html.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return html[start..html.IndexOf('"', start)];
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
}
