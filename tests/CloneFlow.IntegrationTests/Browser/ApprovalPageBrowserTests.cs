using CloneFlow.Core.Runs;
using CloneFlow.IntegrationTests.Http;
using CloneFlow.IntegrationTests.Workflow;
using Microsoft.Playwright;

namespace CloneFlow.IntegrationTests.Browser;

/// <summary>An approver in a real browser (Debian's headless Chromium): open the link, read the plan, approve, and the link cannot be used again.</summary>
public class ApprovalPageBrowserTests
{
    /// <summary>These runs are dry runs that still ask for the clone approval, so the page has a gate to show.</summary>
    private static Core.Configuration.PolicyConfiguration DryRunsAsked(Core.Configuration.PolicyConfiguration policies) => policies with { DryRunsNeedApproval = true };

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    [Fact]
    public async Task An_approver_opens_the_link_reads_the_plan_approves_and_a_replay_fails()
    {
        var chromium = Environment.GetEnvironmentVariable("CLONEFLOW_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium is needed at {chromium} (apt-get install chromium; .ci/run installs it) or set CLONEFLOW_CHROMIUM.");
        await using var harness = await WorkflowHarness.StartAsync(policies: DryRunsAsked);
        await using var server = await ApprovalServer.StartAsync(harness);
        var runId = await harness.StartRunAsync(dryRun: true);
        await ApprovalPagesTests.WaitForGateAsync(harness, runId, "clone");
        var link = server.LinkFor(harness, "clone", WorkflowHarness.Approver);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(link.ToString());

        // Source -> target in large type; the arrow is decorative and screen readers hear "prod to test".
        var heading = System.Text.RegularExpressions.Regex.Replace(await page.Locator("h1").TextContentAsync() ?? string.Empty, @"\s+", " ").Trim();
        Assert.Equal("prod → to test", heading);
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Preserved across the clone" }).IsVisibleAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "cloneflow-approval-page.png"), FullPage = true });
        await page.GetByLabel("Comment (optional)").FillAsync("Looks right <script>alert(1)</script>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await page.WaitForSelectorAsync("text=Thank you: approved");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "cloneflow-approval.png") });

        await page.GotoAsync(link.ToString());
        Assert.Contains("Nothing to decide any more", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);

        var result = await harness.RunToEndAsync(runId, _ => null);
        Assert.Equal(RunOutcome.DryRun, result.Outcome);
        var report = await harness.ReadJsonAsync<RunReport>(runId, "report.json");
        Assert.Single(report!.Approvals, a => a.Gate == "clone" && a.Decision == "approve");
    }
}
