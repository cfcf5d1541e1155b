using System.CommandLine;
using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Cli.UpdateSets;

/// <summary><c>cloneflow updateset</c>: look into update-set XML exports and make samples.</summary>
public static class UpdateSetCommand
{
    /// <summary>Creates the command group.</summary>
    public static Command Create(CliConsole console)
    {
        var command = new Command("updateset", "Inspect update-set XML exports (the unload format) and generate samples.");
        command.Add(CreateInspect(console));
        command.Add(CreateSample(console));
        return command;
    }

    private static Command CreateInspect(CliConsole console)
    {
        var file = new Argument<string>("file") { Description = "The exported XML file, or - for standard input." };
        var json = new Option<bool>("--json") { Description = "Print JSON (updateSets, updates with payload SHA-256, warnings) instead of a summary." };
        var command = new Command("inspect", "Summarise an update-set XML export: its sets, batch links, updates and anything odd.") { file, json };
        command.SetAction((result, cancellationToken) =>
            UpdateSetInspection.RunAsync(console, result.GetRequiredValue(file), result.GetValue(json), cancellationToken));
        return command;
    }

    private static Command CreateSample(CliConsole console)
    {
        var defaults = new UpdateSetSampleOptions();
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Write the sample to this file (default: standard output)." };
        var sets = new Option<int>("--sets") { Description = "Update sets in the batch (one base, the rest children).", DefaultValueFactory = _ => defaults.Sets };
        var updates = new Option<int>("--updates") { Description = "Number of updates.", DefaultValueFactory = _ => defaults.Updates };
        var payloadBytes = new Option<int>("--payload-bytes") { Description = "Approximate size of each payload.", DefaultValueFactory = _ => defaults.PayloadBytes };
        var seed = new Option<int>("--seed") { Description = "Seed: the same options give the same file.", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("sample", "Write a realistic update-set batch export (script includes, business rules, dictionary entries, deletes).")
        {
            output, sets, updates, payloadBytes, seed,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = defaults with
            {
                Sets = result.GetValue(sets),
                Updates = result.GetValue(updates),
                PayloadBytes = result.GetValue(payloadBytes),
                Seed = result.GetValue(seed),
            };
            return UpdateSetSampling.RunAsync(console, options, result.GetValue(output), cancellationToken);
        });
        return command;
    }
}
