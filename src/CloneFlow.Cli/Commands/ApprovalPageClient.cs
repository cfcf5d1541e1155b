using System.Net;
using System.Text.RegularExpressions;

namespace CloneFlow.Cli.Commands;

/// <summary>What the approval page answered.</summary>
/// <param name="Status">The HTTP status of the last page.</param>
/// <param name="Title">The page's heading.</param>
/// <param name="Message">The page's explanation.</param>
internal sealed record ApprovalPageResult(HttpStatusCode Status, string Title, string Message)
{
    public bool Accepted => Status == HttpStatusCode.OK;
}

/// <summary>
/// Decides through an approval link exactly as a person in a browser does: opens the page (which
/// sets the anti-forgery cookie), then posts its form with the decision, the comment and the
/// problem choices (the page's defaults unless overridden).
/// </summary>
internal sealed partial class ApprovalPageClient : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public async Task<ApprovalPageResult> DecideAsync(Uri link, bool approve, string? comment, IReadOnlyDictionary<string, string> choices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(choices);
        using var page = await _http.GetAsync(link, cancellationToken);
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        if (page.StatusCode != HttpStatusCode.OK || !html.Contains("<form", StringComparison.Ordinal))
        {
            return Describe(page.StatusCode, html);
        }

        var form = new List<KeyValuePair<string, string>>();
        foreach (Match hidden in HiddenInput().Matches(html))
        {
            form.Add(new(WebUtility.HtmlDecode(hidden.Groups["name"].Value), WebUtility.HtmlDecode(hidden.Groups["value"].Value)));
        }

        var unknown = new HashSet<string>(choices.Keys, StringComparer.Ordinal);
        foreach (Match radio in CheckedRadio().Matches(html))
        {
            var name = WebUtility.HtmlDecode(radio.Groups["name"].Value);
            var key = name.StartsWith("problem:", StringComparison.Ordinal) ? name["problem:".Length..] : name;
            unknown.Remove(key);
            form.Add(new(name, choices.TryGetValue(key, out var choice) ? choice : WebUtility.HtmlDecode(radio.Groups["value"].Value)));
        }

        if (unknown.Count > 0)
        {
            return new ApprovalPageResult(HttpStatusCode.BadRequest, "Unknown problem", $"the page lists no problem {string.Join(", ", unknown)}");
        }

        form.Add(new("comment", comment ?? string.Empty));
        form.Add(new("decision", approve ? "approve" : "reject"));
        using var content = new FormUrlEncodedContent(form);
        using var answer = await _http.PostAsync(link, content, cancellationToken);
        return Describe(answer.StatusCode, await answer.Content.ReadAsStringAsync(cancellationToken));
    }

    public void Dispose() => _http.Dispose();

    private static ApprovalPageResult Describe(HttpStatusCode status, string html) => new(
        status,
        Heading().Match(html) is { Success: true } h ? Text(h.Groups[1].Value) : status.ToString(),
        Question().Match(html) is { Success: true } q ? Text(q.Groups[1].Value) : string.Empty);

    private static string Text(string html) => WebUtility.HtmlDecode(Tags().Replace(html, " ")).Trim();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("<input type=\"radio\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"[^>]*\\bchecked>")]
    private static partial Regex CheckedRadio();

    [GeneratedRegex("<h1>(.*?)</h1>", RegexOptions.Singleline)]
    private static partial Regex Heading();

    [GeneratedRegex("<p class=\"question\">(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex Question();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
