using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CloneFlow.Core.Http;

/// <summary>Maps the clone API's routes on a minimal-API host (the local host; the Functions app binds the same handlers as triggers).</summary>
public static class CloneApiRoutes
{
    /// <summary>Maps <c>/api/clones</c>, <c>/api/clones/{id}</c>, <c>/api/clones/{id}/cancel</c>, <c>/api/clones/{id}/report</c> and <c>/api/health</c>.</summary>
    public static IEndpointRouteBuilder MapCloneApi(this IEndpointRouteBuilder endpoints, Func<CloneApi> api)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(api);
        endpoints.MapPost("/api/clones", (HttpRequest request, CancellationToken ct) => api().StartAsync(request, ct)).DisableAntiforgery();
        endpoints.MapGet("/api/clones", (CancellationToken ct) => api().ListAsync(ct));
        endpoints.MapGet("/api/clones/{id}", (string id, CancellationToken ct) => api().GetAsync(id, ct));
        endpoints.MapPost("/api/clones/{id}/cancel", (string id, HttpRequest request, CancellationToken ct) => api().CancelAsync(id, request, ct)).DisableAntiforgery();
        endpoints.MapGet("/api/clones/{id}/report", (string id, HttpRequest request, CancellationToken ct) => api().ReportAsync(id, request, ct));
        endpoints.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));
        return endpoints;
    }
}
