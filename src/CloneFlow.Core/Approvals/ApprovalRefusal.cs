namespace CloneFlow.Core.Approvals;

/// <summary>Why a decision was not accepted. <see cref="ApprovalOutcome"/> maps each to the HTTP status the approval page answers.</summary>
public enum ApprovalRefusal
{
    /// <summary>Not a CloneFlow token.</summary>
    MalformedToken,

    /// <summary>Signed with a key CloneFlow does not hold.</summary>
    UnknownKey,

    /// <summary>Changed or forged.</summary>
    TamperedToken,

    /// <summary>Past its expiry.</summary>
    ExpiredToken,

    /// <summary>The token was already used for a decision (a replay).</summary>
    TokenAlreadyUsed,

    /// <summary>The run is not waiting for this gate and round any more (decided, superseded, finished or unknown).</summary>
    NoLongerPending,

    /// <summary>The token is for another run.</summary>
    WrongRun,

    /// <summary>The token is for another gate.</summary>
    WrongGate,

    /// <summary>The token's approver is not allowed to approve this gate for this target.</summary>
    NotAnAllowedApprover,

    /// <summary>The approver asked for the run and separation of duties is on.</summary>
    RequesterCannotApprove,

    /// <summary>Sign-in is required and nobody is signed in.</summary>
    NotSignedIn,

    /// <summary>The signed-in person is not the token's approver.</summary>
    SignedInPrincipalMismatch,

    /// <summary>Storage did not keep the decision (it failed, or did not read back as written): nothing is recorded; decide again.</summary>
    NotRecorded,
}
