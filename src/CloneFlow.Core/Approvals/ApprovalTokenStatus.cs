namespace CloneFlow.Core.Approvals;

/// <summary>What checking an approval token found.</summary>
public enum ApprovalTokenStatus
{
    /// <summary>Signed by a key in the ring, untouched and not expired.</summary>
    Valid,

    /// <summary>Not a CloneFlow token at all (wrong shape, version or encoding).</summary>
    Malformed,

    /// <summary>Names a key id the ring does not hold (forged, or signed with a key since removed).</summary>
    UnknownKey,

    /// <summary>The signature does not match the content: changed or forged.</summary>
    Tampered,

    /// <summary>Genuine but past its expiry.</summary>
    Expired,
}
