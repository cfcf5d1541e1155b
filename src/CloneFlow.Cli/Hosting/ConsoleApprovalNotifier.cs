using CloneFlow.Core.Notifications;

namespace CloneFlow.Cli.Hosting;

/// <summary>
/// Prints every approval link as a line <c>APPROVAL &lt;gate&gt; &lt;url&gt;</c>, preceded by whom it
/// is for: the channel of a host run by the approver at their own terminal (links are bearer tokens,
/// so this is off unless <c>host.printApprovalLinks</c> is set).
/// </summary>
internal sealed class ConsoleApprovalNotifier(TextWriter output) : INotifier
{
    /// <summary>The channel name in results.</summary>
    public const string Channel = "console";

    private readonly Lock _gate = new();

    public Task<NotificationResult> NotifyAsync(Notification notification, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(recipients);
        lock (_gate)
        {
            foreach (var recipient in recipients.Where(r => r.ApprovalLink is not null))
            {
                output.WriteLine($"# {notification.Kind} for {recipient} on run {notification.RunId}, gate {notification.Gate}, round {notification.Round}:");
                output.WriteLine($"APPROVAL {notification.Gate} {recipient.ApprovalLink!.AbsoluteUri}");
            }

            output.Flush();
        }

        return Task.FromResult(NotificationResult.Of(NotificationDelivery.Succeeded(Channel, null, 1)));
    }
}
