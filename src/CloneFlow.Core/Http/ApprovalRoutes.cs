using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CloneFlow.Core.Http;

/// <summary>Maps the approval page's routes on a minimal-API host (the local host; the Functions app binds the same handlers as triggers).</summary>
public static class ApprovalRoutes
{
    /// <summary>Maps <c>GET|POST /api/approvals/{token}</c> to the pages <paramref name="pages"/> gives (awaited per request, so a host can start before its engine).</summary>
    public static IEndpointRouteBuilder MapApprovalPages(this IEndpointRouteBuilder endpoints, Func<Task<ApprovalPages>> pages)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pages);
        endpoints.MapGet("/api/approvals/{token}", async (string token, HttpContext context, CancellationToken ct) => await (await pages()).ShowAsync(token, context, ct));

        // The page's own anti-forgery check (cookie + field) replaces ASP.NET Core's, which needs its key ring.
        endpoints.MapPost("/api/approvals/{token}", async (string token, HttpContext context, CancellationToken ct) => await (await pages()).DecideAsync(token, context, ct)).DisableAntiforgery();
        return endpoints;
    }
}
