using System.Text;
using CloneFlow.Core.Approvals;
using CloneFlow.Core.Http;

namespace CloneFlow.Core.Tests.Approvals;

public sealed class GateFormsTests
{
    private static readonly Dictionary<string, string> Nothing = [];

    public static TheoryData<string> Gates() => [.. GateForms.All.Select(f => f.Gate)];

    [Theory]
    [MemberData(nameof(Gates))]
    public void The_page_has_a_field_for_every_input_of_every_gate(string gate)
    {
        var form = GateForms.For(gate);
        var html = new StringBuilder();

        GateFormHtml.Append(html, form, null);

        Assert.All(form.Inputs, input => Assert.Contains($"name=\"{input.Name}\"", html.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_clone_request_number_is_letters_then_digits_and_is_given_upper_case()
    {
        var form = GateForms.For(GateForms.CloneNumberGate);

        Assert.False(form.Validate(ApprovalVerdict.Approve, Nothing).IsValid);
        Assert.False(form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["number"] = "tomorrow" }).IsValid);
        Assert.False(form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["number"] = "CLN12" }).IsValid);
        var valid = form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["number"] = " cln0001234 " });
        Assert.True(valid.IsValid, valid.Error);
        Assert.Equal("CLN0001234", valid.Values["number"]);
        // Rejecting needs no number.
        Assert.True(form.Validate(ApprovalVerdict.Reject, Nothing).IsValid);
    }

    [Fact]
    public void Skipping_a_failed_step_needs_a_reason_and_only_the_actions_the_question_offers_are_taken()
    {
        var form = GateForms.For(GateForms.FailureGate);

        Assert.Equal("retry", form.Validate(ApprovalVerdict.Approve, Nothing).Values["action"]);
        Assert.Contains("say why", form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["action"] = "skip" }).Error, StringComparison.Ordinal);
        var skip = form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["action"] = "skip", ["reason"] = "known issue" });
        Assert.True(skip.IsValid, skip.Error);
        Assert.Equal("known issue", skip.Values["reason"]);
        Assert.Contains("retry, abort", form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["action"] = "skip", ["reason"] = "x" }, allowedActions: ["retry", "abort"]).Error, StringComparison.Ordinal);
        Assert.False(form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["action"] = "ignore" }).IsValid);
    }

    [Fact]
    public void Problem_choices_name_problems_of_this_preview_only_and_unknown_fields_are_dropped()
    {
        var form = GateForms.For(GateForms.ProblemsGate);

        var answer = form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["problem:p1"] = "skip", ["comment"] = "c", ["cloneflow_af"] = "x" }, problems: ["p1", "p2"]);

        Assert.True(answer.IsValid, answer.Error);
        Assert.Equal(new Dictionary<string, string> { ["action"] = "commit", ["default"] = "accept", ["p1"] = "skip" }, answer.Values);
        Assert.False(form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["problem:p9"] = "skip" }, problems: ["p1"]).IsValid);
        Assert.False(form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["problem:p1"] = "maybe" }, problems: ["p1"]).IsValid);
    }

    [Fact]
    public void A_text_answer_longer_than_history_should_carry_is_refused()
    {
        var form = GateForms.For(GateForms.FailureGate);

        Assert.False(form.Validate(ApprovalVerdict.Approve, new Dictionary<string, string> { ["action"] = "skip", ["reason"] = new string('x', GateInput.MaxTextLength + 1) }).IsValid);
    }
}
