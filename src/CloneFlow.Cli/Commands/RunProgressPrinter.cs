using System.Globalization;
using CloneFlow.Core.Runs;

namespace CloneFlow.Cli.Commands;

/// <summary>
/// Shows a run's progress as it changes: on a terminal one line per phase with a bar redrawn in
/// place; in a pipe or a log, one plain line per change.
/// </summary>
internal sealed class RunProgressPrinter(TextWriter output, bool interactive)
{
    private const int BarWidth = 24;
    private string? _lastPhase;
    private string? _lastLine;

    /// <summary>True when standard output is a terminal (not redirected).</summary>
    public static bool IsTerminal => !Console.IsOutputRedirected;

    public void Show(RunStatus? status, TimeSpan elapsed)
    {
        if (status is null)
        {
            return;
        }

        var progress = status.Total > 0 ? string.Create(CultureInfo.InvariantCulture, $" [{status.Done}/{status.Total}]") : string.Empty;
        var line = $"{status.Phase,-15} {status.Message}{progress}";
        if (line == _lastLine)
        {
            return;
        }

        var stamp = string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds,7:F1}s");
        if (interactive)
        {
            if (_lastPhase is not null && _lastPhase != status.Phase)
            {
                output.WriteLine();
            }

            var bar = status.Total > 0 ? Bar(status.Done, status.Total) + " " : string.Empty;
            // Pad so a shorter line fully covers the one it replaces.
            output.Write($"\r{stamp}  {status.Phase,-15} {bar}{status.Message}{progress}".PadRight(Math.Max(_lastLine?.Length + 40 ?? 0, 80)));
        }
        else
        {
            output.WriteLine($"{stamp}  {line}");
        }

        _lastPhase = status.Phase;
        _lastLine = line;
    }

    /// <summary>Ends the in-place line before other output.</summary>
    public void Break()
    {
        if (interactive && _lastLine is not null)
        {
            output.WriteLine();
            _lastLine = null;
            _lastPhase = null;
        }
    }

    private static string Bar(int done, int total)
    {
        var filled = (int)Math.Round(BarWidth * Math.Clamp((double)done / total, 0, 1));
        return "[" + new string('#', filled) + new string('.', BarWidth - filled) + "]";
    }
}
