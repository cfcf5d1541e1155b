using System.Text;

namespace CloneFlow.Cli;

/// <summary>Where a command writes: standard output as a byte stream (JSON is written straight to it) and as text, and standard error.</summary>
public sealed class CliConsole : IDisposable
{
    private readonly bool _ownsStreams;

    /// <summary>Creates a console over the given streams; tests pass memory streams.</summary>
    public CliConsole(Stream output, TextWriter error, Stream? input = null, bool ownsStreams = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Output = output;
        Error = error;
        Input = input ?? Stream.Null;
        // Synchronized: a host writes from several threads at once (the run reporter, the
        // approval-link printer); a bare StreamWriter throws when two writes overlap.
        Out = TextWriter.Synchronized(new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096, leaveOpen: true) { AutoFlush = true });
        _ownsStreams = ownsStreams;
    }

    /// <summary>Standard output as bytes.</summary>
    public Stream Output { get; }

    /// <summary>Standard output as text, safe to write from several threads (flushes on every write so it interleaves with <see cref="Output"/>).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard input, for <c>-</c> as a file name.</summary>
    public Stream Input { get; }

    /// <summary>The process's own standard streams.</summary>
    public static CliConsole FromProcess() =>
        new(Console.OpenStandardOutput(), Console.Error, Console.OpenStandardInput(), ownsStreams: true);

    /// <inheritdoc />
    public void Dispose()
    {
        Out.Dispose();
        if (_ownsStreams)
        {
            Output.Dispose();
            Input.Dispose();
        }
    }
}
