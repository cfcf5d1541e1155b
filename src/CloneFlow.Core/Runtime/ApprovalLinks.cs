using CloneFlow.Core.Approvals;

namespace CloneFlow.Core.Runtime;

/// <summary>
/// Issues the signed, single-use links approvers follow to CloneFlow's approval page. Only the page's
/// base URL is configured; a link never points at the Durable Functions management API.
/// </summary>
public sealed class ApprovalLinks
{
    private readonly ApprovalTokenService _tokens;

    /// <summary>Creates the link issuer for pages under <paramref name="baseUrl"/> (e.g. <c>https://cloneflow.example/</c>).</summary>
    public ApprovalLinks(ApprovalTokenService tokens, Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(baseUrl);
        _tokens = tokens;
        BaseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
    }

    /// <summary>Where the approval pages are served.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The link for one approver's decision on one gate round.</summary>
    public Uri For(string runId, string gate, int round, string approver, TimeSpan lifetime)
    {
        var token = _tokens.Issue(runId, gate, round, approver, lifetime);
        return new Uri(BaseUrl, $"api/approvals/{Uri.EscapeDataString(token.Value)}");
    }
}
