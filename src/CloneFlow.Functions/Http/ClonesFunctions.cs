using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Http;
using CloneFlow.Core.Runs;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CloneFlow.Functions.Http;

/// <summary>
/// The clone API as HTTP triggers, binding Core's <see cref="CloneApi"/>. Function-level keys protect
/// them; behind Easy Auth the signed-in principal becomes the requester.
/// </summary>
public sealed class ClonesFunctions(CloneFlowConfiguration configuration, RunArtifactStore artifacts, FunctionSettings settings)
{
    [Function("StartClone")]
    public Task<IResult> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "clones")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        Api(client).StartAsync(request, cancellationToken);

    [Function("ListClones")]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "clones")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        Api(client).ListAsync(cancellationToken);

    [Function("GetClone")]
    public Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "clones/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        Api(client).GetAsync(id, cancellationToken);

    [Function("CancelClone")]
    public Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "clones/{id}/cancel")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        Api(client).CancelAsync(id, request, cancellationToken);

    [Function("GetCloneReport")]
    public Task<IResult> Report(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "clones/{id}/report")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        Api(client).ReportAsync(id, request, cancellationToken);

    private CloneApi Api(DurableTaskClient client) => new(new CloneRuns(client, configuration), artifacts, configuration, settings.RequireSignedIn);
}
