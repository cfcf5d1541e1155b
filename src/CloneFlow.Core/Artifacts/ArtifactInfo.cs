namespace CloneFlow.Core.Artifacts;

/// <summary>One stored artifact of a run: where it is, how big, its SHA-256 and whether it was verified.</summary>
/// <param name="Name">The blob name, <c>runs/{runId}/...</c>.</param>
/// <param name="Bytes">Its length.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of its bytes, computed while it was written.</param>
/// <param name="Verified">True once it was read back and found whole; a verified artifact is never overwritten.</param>
public sealed record ArtifactInfo(string Name, long Bytes, string Sha256, bool Verified)
{
    /// <summary>What the blob holds, when it was read from storage: less than <see cref="Bytes"/> for an artifact stored compressed.</summary>
    public long? StoredBytes { get; init; }
}

/// <summary>An artifact that was already verified must not be replaced.</summary>
public sealed class ArtifactAlreadyVerifiedException : Exception
{
    /// <summary>Creates the error for <paramref name="name"/>.</summary>
    public ArtifactAlreadyVerifiedException(string name)
        : base($"The artifact {name} is verified and is never overwritten; use it as it is.")
    {
        Name = name;
    }

    /// <summary>Required by CA1032.</summary>
    public ArtifactAlreadyVerifiedException()
        : this(string.Empty)
    {
    }

    /// <summary>Required by CA1032.</summary>
    public ArtifactAlreadyVerifiedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Name = string.Empty;
    }

    /// <summary>The blob name.</summary>
    public string Name { get; }
}

/// <summary>Reading an artifact back did not give what was written.</summary>
public sealed class ArtifactVerificationException : Exception
{
    /// <summary>Creates the error.</summary>
    public ArtifactVerificationException(string message)
        : base(message)
    {
    }

    /// <summary>Required by CA1032.</summary>
    public ArtifactVerificationException()
        : base("The artifact could not be verified.")
    {
    }

    /// <summary>Required by CA1032.</summary>
    public ArtifactVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
