namespace CloneFlow.Cli;

/// <summary>The exit codes of <c>cloneflow</c>, documented in the README.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The input was refused: a missing or unreadable file, an invalid update-set export.</summary>
    public const int InvalidInput = 1;

    /// <summary>The command line itself was wrong (unknown command or option, missing argument).</summary>
    public const int Usage = 2;

    /// <summary>The run ended without a verified completion: rejected, canceled, failed, or restored with differences; or preflight found problems.</summary>
    public const int RunNotVerified = 3;

    /// <summary>The target already has an active run (its id is printed).</summary>
    public const int TargetBusy = 4;

    /// <summary>No CloneFlow host answers, or it answered with an error.</summary>
    public const int HostUnavailable = 5;

    /// <summary>Stopped by Ctrl+C.</summary>
    public const int Canceled = 130;
}
