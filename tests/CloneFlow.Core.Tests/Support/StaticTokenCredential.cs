using System.Collections.Concurrent;
using Azure.Core;

namespace CloneFlow.Core.Tests.Support;

/// <summary>A credential that hands out a fixed token (or throws) and records the scopes asked for.</summary>
internal sealed class StaticTokenCredential(string token, Exception? failure = null) : TokenCredential
{
    private readonly ConcurrentQueue<string[]> _requests = new();

    public IReadOnlyList<string[]> Requests => [.. _requests];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        _requests.Enqueue(requestContext.Scopes);
        return failure is null ? ValueTask.FromResult(new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1))) : ValueTask.FromException<AccessToken>(failure);
    }
}
