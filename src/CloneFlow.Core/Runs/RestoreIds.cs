using System.Security.Cryptography;
using System.Text;

namespace CloneFlow.Core.Runs;

/// <summary>
/// The sys_ids CloneFlow gives the records it creates: derived from the run and the original, so a
/// retried export or restore writes the same records, never new copies.
/// </summary>
public static class RestoreIds
{
    /// <summary>The remote set that carries a local set across the clone.</summary>
    public static string RemoteSetFor(string runId, string localSetSysId) => Derive(runId, "remote-set", localSetSysId);

    /// <summary>The remote set that carries a scoped app in development across the clone.</summary>
    public static string AppSetFor(string runId, string appSysId) => Derive(runId, "app-set", appSysId);

    /// <summary>The batch base under which a run restores its local sets.</summary>
    public static string ContainerFor(string runId) => Derive(runId, "container", string.Empty);

    private static string Derive(string runId, string purpose, string original) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"cloneflow:{purpose}:{runId}:{original}")))[..32];
}
