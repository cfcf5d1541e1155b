using System.Text.RegularExpressions;

namespace CloneFlow.Core.Approvals;

/// <summary>How a person gives a gate input.</summary>
public enum GateInputKind
{
    /// <summary>One of a few values.</summary>
    Choice,

    /// <summary>A line of text.</summary>
    Text,
}

/// <summary>
/// One thing a person answers at a gate besides approve or reject. The orchestration reads it by
/// <see cref="Name"/>; the approval page renders a field for it and checks it; <c>cloneflow approve</c>
/// has a flag <c>--{Name}</c> for it.
/// </summary>
/// <param name="Name">The form field, the choice key and the CLI flag.</param>
/// <param name="Label">What the page shows.</param>
/// <param name="Kind">A choice or text.</param>
/// <param name="Options">The values of a choice.</param>
/// <param name="Default">The value when nothing is given; null when the input must be given on approve.</param>
/// <param name="Help">One line for the page and <c>--help</c>.</param>
public sealed record GateInput(string Name, string Label, GateInputKind Kind, IReadOnlyList<string> Options, string? Default, string Help)
{
    /// <summary>Longest text kept: the value travels in orchestration history.</summary>
    public const int MaxTextLength = 500;
}

/// <summary>What a person must answer at one gate: approve or reject, a comment, and these inputs.</summary>
/// <param name="Gate">The gate's name.</param>
/// <param name="Inputs">Its inputs, in page order.</param>
/// <param name="PerProblemChoices">True when each preview problem gets accept or skip (keyed by its sys_id).</param>
public sealed partial record GateForm(string Gate, IReadOnlyList<GateInput> Inputs, bool PerProblemChoices = false)
{
    /// <summary>
    /// Checks what was posted; returns the inputs to deliver (defaults filled in, unknown fields dropped)
    /// or the reason they cannot be accepted. <paramref name="allowedActions"/> narrows the
    /// <see cref="GateForms.Action"/> choice to what the run's question offers; <paramref name="problems"/>
    /// are the sys_ids a per-problem choice may name.
    /// </summary>
    public GateFormResult Validate(ApprovalVerdict verdict, IReadOnlyDictionary<string, string> posted, IReadOnlyCollection<string>? allowedActions = null, IReadOnlyCollection<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(posted);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (verdict == ApprovalVerdict.Reject)
        {
            // A rejection needs nothing more: it stops the gate whatever was chosen.
            return GateFormResult.Valid(values);
        }

        foreach (var input in Inputs)
        {
            var value = posted.TryGetValue(input.Name, out var given) ? given.Trim() : string.Empty;
            if (value.Length == 0)
            {
                value = input.Default ?? string.Empty;
            }

            var options = input.Name == GateForms.Action && allowedActions is { Count: > 0 } ? allowedActions : input.Options;
            if (input.Kind == GateInputKind.Choice && !options.Contains(value, StringComparer.Ordinal))
            {
                return GateFormResult.Invalid($"{input.Label}: choose one of {string.Join(", ", options)}.");
            }

            if (input.Kind == GateInputKind.Text && value.Length > GateInput.MaxTextLength)
            {
                return GateFormResult.Invalid($"{input.Label}: at most {GateInput.MaxTextLength} characters.");
            }

            if (value.Length > 0)
            {
                values[input.Name] = value;
            }
        }

        if (Gate == GateForms.CloneNumberGate)
        {
            var number = values.GetValueOrDefault(GateForms.Number, string.Empty);
            if (!CloneNumber().IsMatch(number))
            {
                return GateFormResult.Invalid($"Clone request number: '{number}' is not a request number; enter it as the Clone Admin Console shows it (letters then digits, e.g. CLN0001234).");
            }

            values[GateForms.Number] = number.ToUpperInvariant();
        }

        if (Gate == GateForms.FailureGate && values.GetValueOrDefault(GateForms.Action) == GateForms.Skip && !values.ContainsKey(GateForms.Reason))
        {
            return GateFormResult.Invalid("Reason: say why the step may be skipped; the report keeps it.");
        }

        if (PerProblemChoices)
        {
            var known = problems ?? [];
            foreach (var (key, value) in posted)
            {
                if (!key.StartsWith(GateForms.ProblemPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var problem = key[GateForms.ProblemPrefix.Length..];
                if (!known.Contains(problem, StringComparer.Ordinal) || value is not (GateForms.Accept or GateForms.Skip))
                {
                    return GateFormResult.Invalid($"Problem {problem}: not a problem of this preview, or not accept/skip.");
                }

                values[problem] = value;
            }
        }

        return GateFormResult.Valid(values);
    }

    [GeneratedRegex("^[A-Za-z]{2,6}[0-9]{4,12}$")]
    private static partial Regex CloneNumber();
}

/// <summary>The outcome of <see cref="GateForm.Validate"/>.</summary>
/// <param name="Values">The inputs to deliver, when valid.</param>
/// <param name="Error">Why not, for the person.</param>
public sealed record GateFormResult(IReadOnlyDictionary<string, string> Values, string? Error)
{
    /// <summary>True when the answer can be recorded.</summary>
    public bool IsValid => Error is null;

    internal static GateFormResult Valid(Dictionary<string, string> values) => new(values, null);

    internal static GateFormResult Invalid(string error) => new(new Dictionary<string, string>(), error);
}

/// <summary>
/// Every gate's form, in one place: the orchestration reads answers by these names, the approval page
/// renders and checks them, and <c>cloneflow approve</c> makes its flags from them.
/// </summary>
public static class GateForms
{
    /// <summary>The clone approval.</summary>
    public const string CloneGate = "clone";

    /// <summary>Activating plugins the clone removed.</summary>
    public const string PluginsGate = "plugins";

    /// <summary>The manual driver: the number of the request a person made in the console.</summary>
    public const string CloneNumberGate = "clone-number";

    /// <summary>A step that failed, or a clone in trouble.</summary>
    public const string FailureGate = "failure";

    /// <summary>The restore batch's preview problems.</summary>
    public const string ProblemsGate = "problems";

    /// <summary>Input: what to do (failure: retry, skip, abort; problems: commit, repreview).</summary>
    public const string Action = "action";

    /// <summary>Input: why a failed step may be skipped.</summary>
    public const string Reason = "reason";

    /// <summary>Input: the clone request number.</summary>
    public const string Number = "number";

    /// <summary>Input: the choice for problems not chosen one by one.</summary>
    public const string DefaultChoice = "default";

    /// <summary>Form fields of per-problem choices: <c>problem:{sys_id}</c>.</summary>
    public const string ProblemPrefix = "problem:";

    /// <summary>Action: try the step again (or keep watching the clone).</summary>
    public const string Retry = "retry";

    /// <summary>Action: go on without the step; per problem: skip the remote update.</summary>
    public const string Skip = "skip";

    /// <summary>Action: stop the run; the exports stay.</summary>
    public const string Abort = "abort";

    /// <summary>Action: commit with the choices made.</summary>
    public const string Commit = "commit";

    /// <summary>Action: preview again (after fixing a cause on the instance).</summary>
    public const string Repreview = "repreview";

    /// <summary>Per problem: accept the remote update.</summary>
    public const string Accept = "accept";

    /// <summary>Every gate's form.</summary>
    public static IReadOnlyList<GateForm> All { get; } =
    [
        new(CloneGate, []),
        new(PluginsGate, []),
        new(CloneNumberGate, [new(Number, "Clone request number", GateInputKind.Text, [], null, "the number of the clone request made in the Clone Admin Console, e.g. CLN0001234")]),
        new(FailureGate,
        [
            new(Action, "What to do", GateInputKind.Choice, [Retry, Skip, Abort], Retry, "retry the step (or keep watching the clone), skip it (give a reason), or abort (the exports stay)"),
            new(Reason, "Reason (needed to skip)", GateInputKind.Text, [], string.Empty, "why the failed step may be skipped; kept in the report"),
        ]),
        new(ProblemsGate,
        [
            new(Action, "Then", GateInputKind.Choice, [Commit, Repreview], Commit, "commit with the choices made, or preview again after fixing the cause"),
            new(DefaultChoice, "Problems not chosen one by one", GateInputKind.Choice, [Accept, Skip], Accept, "accept or skip the remote updates of problems without a choice of their own"),
        ], PerProblemChoices: true),
    ];

    /// <summary>The form of <paramref name="gate"/>; a gate without inputs for names not listed.</summary>
    public static GateForm For(string gate) => All.FirstOrDefault(f => f.Gate == gate) ?? new GateForm(gate, []);

    /// <summary>Every input of every gate by name (one flag each for <c>cloneflow approve</c>), with the gates that have it.</summary>
    public static IReadOnlyList<(GateInput Input, IReadOnlyList<string> Gates)> AllInputs() =>
        All.SelectMany(f => f.Inputs.Select(i => (Input: i, f.Gate)))
            .GroupBy(x => x.Input.Name, StringComparer.Ordinal)
            .Select(g => (g.First().Input, (IReadOnlyList<string>)g.Select(x => x.Gate).ToList()))
            .ToList();
}
