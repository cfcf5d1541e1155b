using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace CloneFlow.Cli.Tests.Demo;

public partial class DemoHoldApprovalsTests
{
    [Fact]
    public async Task Held_approvals_are_printed_as_links_whose_pages_a_plain_HTTP_client_can_decide_on()
    {
        var folder = Directory.CreateTempSubdirectory("cloneflow-hold-test-");
        var cli = Path.Combine(AppContext.BaseDirectory, "cloneflow.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { cli, "demo", "--hold-approvals", "--clock-acceleration", "2400", "--out", folder.FullName })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var decided = new List<string>();
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (Approval().Match(line) is { Success: true } approval)
                {
                    decided.Add($"{approval.Groups[1].Value}:{await DecideAsync(new Uri(approval.Groups[2].Value))}");
                }
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            folder.Delete(recursive: true);
        }

        Assert.True(process.ExitCode == 0, string.Join('\n', lines) + await stderr);
        Assert.Contains("clone:200", decided);
        Assert.Contains(lines, l => l.StartsWith("Outcome: Completed, verified", StringComparison.Ordinal));
    }

    /// <summary>What a person's browser does: open the page (which sets the anti-forgery cookie), submit the form.</summary>
    private static async Task<int> DecideAsync(Uri link)
    {
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true });
        var page = await http.GetStringAsync(link);
        var antiForgery = AntiForgery().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent([new("decision", "approve"), new("comment", "checked the plan"), new("cloneflow_af", antiForgery)]);
        using var response = await http.PostAsync(link, form);
        return (int)response.StatusCode;
    }

    [GeneratedRegex("^APPROVAL (\\S+) (http://\\S+)$")]
    private static partial Regex Approval();

    [GeneratedRegex("name=\"cloneflow_af\" value=\"([0-9a-f]+)\"")]
    private static partial Regex AntiForgery();
}
