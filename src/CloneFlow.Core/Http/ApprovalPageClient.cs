using System.Net;
using System.Text.RegularExpressions;

namespace CloneFlow.Core.Http;

/// <summary>What the approval page answered.</summary>
/// <param name="Status">The HTTP status of the last page.</param>
/// <param name="Title">The page's heading.</param>
/// <param name="Message">The page's explanation.</param>
public sealed record ApprovalPageResult(HttpStatusCode Status, string Title, string Message)
{
    /// <summary>True when the page recorded the decision.</summary>
    public bool Accepted => Status == HttpStatusCode.OK;
}

/// <summary>
/// Decides through an approval link exactly as a person in a browser does: opens the page (which
/// sets the anti-forgery cookie), then posts its form with the decision, the comment and the gate's
/// inputs (by name, or a preview problem's sys_id for its accept/skip; the page's defaults otherwise).
/// Used by <c>cloneflow approve</c>, the demo and the tests, so none of them has a way in that people lack.
/// </summary>
public sealed partial class ApprovalPageClient : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Opens the link's page and posts its form; each of <paramref name="choices"/> names a field of the page (or a preview problem).</summary>
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
        // Each radio group once: the value asked for, else the one the page checked, else none (the page's default applies).
        foreach (var group in Radio().Matches(html).GroupBy(radio => WebUtility.HtmlDecode(radio.Groups["name"].Value), StringComparer.Ordinal))
        {
            var name = group.Key;
            var key = name.StartsWith(Approvals.GateForms.ProblemPrefix, StringComparison.Ordinal) ? name[Approvals.GateForms.ProblemPrefix.Length..] : name;
            unknown.Remove(key);
            var value = choices.TryGetValue(key, out var choice) ? choice
                : group.FirstOrDefault(radio => radio.Groups["checked"].Success) is { } checkedRadio ? WebUtility.HtmlDecode(checkedRadio.Groups["value"].Value)
                : null;
            if (value is not null)
            {
                form.Add(new(name, value));
            }
        }

        foreach (Match text in TextInput().Matches(html))
        {
            var name = WebUtility.HtmlDecode(text.Groups["name"].Value);
            unknown.Remove(name);
            form.Add(new(name, choices.TryGetValue(name, out var value) ? value : string.Empty));
        }

        if (unknown.Count > 0)
        {
            return new ApprovalPageResult(HttpStatusCode.BadRequest, "Not on this page", $"the approval page has no input or problem {string.Join(", ", unknown)}");
        }

        form.Add(new("comment", comment ?? string.Empty));
        form.Add(new("decision", approve ? "approve" : "reject"));
        using var content = new FormUrlEncodedContent(form);
        using var answer = await _http.PostAsync(link, content, cancellationToken);
        return Describe(answer.StatusCode, await answer.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static ApprovalPageResult Describe(HttpStatusCode status, string html) => new(
        status,
        Heading().Match(html) is { Success: true } h ? Text(h.Groups[1].Value) : status.ToString(),
        Question().Match(html) is { Success: true } q ? Text(q.Groups[1].Value) : string.Empty);

    private static string Text(string html) => WebUtility.HtmlDecode(Tags().Replace(html, " ")).Trim();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("<input type=\"radio\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"[^>]*?(?<checked>\\bchecked)?>")]
    private static partial Regex Radio();

    [GeneratedRegex("<input type=\"text\" name=\"(?<name>[^\"]+)\"")]
    private static partial Regex TextInput();

    [GeneratedRegex("<h1>(.*?)</h1>", RegexOptions.Singleline)]
    private static partial Regex Heading();

    [GeneratedRegex("<p class=\"question\">(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex Question();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
