using System.CommandLine;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Http;

namespace CloneFlow.Cli.Commands;

/// <summary><c>cloneflow approve</c>: decides through an approval link from the terminal, through the same page a browser uses.</summary>
internal static class ApproveCommand
{
    public static Command Create(CliConsole console)
    {
        var link = new Argument<string>("link") { Description = "The approval link (http(s)://…/api/approvals/<token>) from the Teams card, the e-mail or an APPROVAL line." };
        var approve = new Option<bool>("--approve") { Description = "Approve." };
        var reject = new Option<bool>("--reject") { Description = "Reject." };
        var comment = new Option<string?>("--comment", "-m") { Description = "Why (recorded in the run's report)." };
        var choices = new Option<string[]>("--choice") { Description = "For preview problems: <problem>=accept|skip (default: the page's default, accept).", AllowMultipleArgumentsPerToken = true };
        // A flag per gate input, made from the gates' forms: an input the page asks for is always one the CLI can give.
        var inputs = GateForms.AllInputs()
            .Select(i => (i.Input.Name, Option: new Option<string?>($"--{i.Input.Name}") { Description = $"{string.Join(", ", i.Gates)} gate: {i.Input.Help}{(i.Input.Options.Count > 0 ? $" ({string.Join("|", i.Input.Options)})" : string.Empty)}." }))
            .ToList();
        var command = new Command("approve", "Approve or reject through an approval link. Exit codes: 0 recorded, 1 refused (expired, used, forged, not yours, an answer the page does not accept: the page's reason is printed), 5 no page answered.")
        {
            link, approve, reject, comment, choices,
        };
        foreach (var (_, option) in inputs)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            Uri.TryCreate(result.GetRequiredValue(link), UriKind.Absolute, out var url);
            if (result.GetValue(approve) == result.GetValue(reject))
            {
                await console.Error.WriteLineAsync("cloneflow: choose exactly one of --approve and --reject");
                return ExitCodes.Usage;
            }

            if (url is null || url.Scheme is not ("http" or "https") || !url.AbsolutePath.StartsWith("/api/approvals/", StringComparison.Ordinal))
            {
                await console.Error.WriteLineAsync("cloneflow: the link must be an http(s) URL ending in /api/approvals/<token>");
                return ExitCodes.Usage;
            }

            var picked = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var choice in result.GetValue(choices) ?? [])
            {
                var parts = choice.Split('=', 2);
                if (parts.Length != 2 || parts[1] is not ("accept" or "skip"))
                {
                    await console.Error.WriteLineAsync($"cloneflow: --choice '{choice}' is not <problem>=accept|skip");
                    return ExitCodes.Usage;
                }

                picked[parts[0]] = parts[1];
            }

            foreach (var (name, option) in inputs)
            {
                if (result.GetValue(option) is { } value)
                {
                    picked[name] = value;
                }
            }

            using var page = new ApprovalPageClient();
            ApprovalPageResult outcome;
            try
            {
                outcome = await page.DecideAsync(url, result.GetValue(approve), result.GetValue(comment), picked, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                await console.Error.WriteLineAsync($"cloneflow: the approval page did not answer: {ex.Message}");
                return ExitCodes.HostUnavailable;
            }

            var writer = outcome.Accepted ? console.Out : console.Error;
            await writer.WriteLineAsync($"{(outcome.Accepted ? string.Empty : "cloneflow: ")}{outcome.Title}: {outcome.Message}");
            return outcome.Accepted ? ExitCodes.Success : ExitCodes.InvalidInput;
        });
        return command;
    }
}
