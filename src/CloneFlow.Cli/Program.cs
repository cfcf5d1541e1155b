using CloneFlow.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C asks the command to stop cleanly; a second one kills the process as usual.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

// SIGTERM (docker stop, systemd, kill) stops a command as cleanly as Ctrl+C.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return await CloneFlowCommandLine.RunAsync(args, CliConsole.FromProcess(), cancellation.Token);
