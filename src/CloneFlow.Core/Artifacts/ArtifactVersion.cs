using Azure;

namespace CloneFlow.Core.Artifacts;

/// <summary>
/// The version of an artifact a writer saw before writing: a write replaces only that version (or, when
/// nothing was there, only creates), so a concurrent writer makes one of them fail instead of one
/// silently overwriting the other. Seen for many artifacts at once with
/// <see cref="RunArtifactStore.ListJsonAsync{T}(string, string, bool, CancellationToken)"/>, instead of one properties call per artifact.
/// </summary>
/// <param name="ETag">The blob's ETag when it was seen.</param>
/// <param name="Verified">True when it was already verified: it is then never replaced.</param>
public sealed record ArtifactVersion(ETag ETag, bool Verified);

/// <summary>A JSON artifact as listed: the version it was seen at, and its document (null for an empty blob).</summary>
/// <typeparam name="T">The document type.</typeparam>
/// <param name="Version">The version seen.</param>
/// <param name="Value">The document.</param>
public sealed record StoredJson<T>(ArtifactVersion Version, T? Value)
    where T : class;

/// <summary>A verified artifact and the document listed with its verified mark (see <see cref="RunArtifactStore.VerifyAndListAsync"/>).</summary>
/// <typeparam name="T">The document type.</typeparam>
/// <param name="Info">The verified artifact.</param>
/// <param name="Document">The document described for it.</param>
/// <param name="Listed">False when the document was too large to store with the artifact.</param>
public sealed record ListedVerification<T>(ArtifactInfo Info, T? Document, bool Listed)
    where T : class;
