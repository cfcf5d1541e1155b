using System.Security.Cryptography;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.Approvals;

/// <summary>Key rings and a token service on a stopped clock for the approval tests.</summary>
internal static class ApprovalTestKeys
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    public static ApprovalSigningKeys Ring(string current, params (string Id, byte[] Key)[] keys) =>
        new(current, keys.ToDictionary(k => k.Id, k => k.Key));

    public static (ApprovalTokenService Service, ManualTimeProvider Clock) Service(ApprovalSigningKeys? keys = null)
    {
        var clock = new ManualTimeProvider(Now);
        return (new ApprovalTokenService(keys ?? Ring("k1", ("k1", NewKey())), clock), clock);
    }
}
