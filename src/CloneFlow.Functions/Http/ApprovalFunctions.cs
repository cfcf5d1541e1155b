using CloneFlow.Core.Approvals;
using CloneFlow.Core.Artifacts;
using CloneFlow.Core.Configuration;
using CloneFlow.Core.Http;
using CloneFlow.Core.Runs;
using CloneFlow.Core.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CloneFlow.Functions.Http;

/// <summary>
/// The approval page behind each signed link. Anonymous at function level: the signed, single-use
/// token is the credential (and, behind Easy Auth, the signed-in principal must match it).
/// </summary>
public sealed class ApprovalFunctions(CloneFlowConfiguration configuration, RunArtifactStore artifacts, ApprovalTokenService tokens, ApprovalDecisionRecorder recorder, RunServices services)
{
    [Function("ShowApproval")]
    public Task<IResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "approvals/{token}")] HttpRequest request,
        string token,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Pages(client).ShowAsync(token, request.HttpContext, cancellationToken);
    }

    [Function("DecideApproval")]
    public Task<IResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "approvals/{token}")] HttpRequest request,
        string token,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Pages(client).DecideAsync(token, request.HttpContext, cancellationToken);
    }

    private ApprovalPages Pages(DurableTaskClient client) => new(new CloneRuns(client, configuration), tokens, recorder, artifacts, new GateInputChecks(services));
}
