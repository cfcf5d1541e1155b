using System.Globalization;
using System.Net;
using System.Text;
using CloneFlow.Core.Approvals;

namespace CloneFlow.Core.Http;

/// <summary>The approval page's fields for a gate's form: every input of <see cref="GateForms"/> gets one, so the page asks for what the run reads.</summary>
internal static class GateFormHtml
{
    /// <summary>A field per input of the gate's form: radio buttons for a choice (its default checked), a text box for text.</summary>
    public static void Append(StringBuilder body, GateForm form, IReadOnlyList<string>? actions)
    {
        foreach (var input in form.Inputs)
        {
            var id = $"input-{input.Name}";
            if (input.Kind == GateInputKind.Text)
            {
                body.Append(CultureInfo.InvariantCulture, $"<label for=\"{id}\">{WebUtility.HtmlEncode(input.Label)}</label><input type=\"text\" name=\"{WebUtility.HtmlEncode(input.Name)}\" id=\"{id}\" maxlength=\"{GateInput.MaxTextLength}\" aria-describedby=\"{id}-help\"><p class=\"muted\" id=\"{id}-help\">{WebUtility.HtmlEncode(input.Help)}</p>");
                continue;
            }

            var options = input.Name == GateForms.Action && actions is { Count: > 0 } ? actions : input.Options;
            var chosen = options.Contains(input.Default ?? string.Empty, StringComparer.Ordinal) ? input.Default : options[0];
            body.Append(CultureInfo.InvariantCulture, $"<fieldset><legend>{WebUtility.HtmlEncode(input.Label)}</legend>");
            foreach (var option in options)
            {
                body.Append(CultureInfo.InvariantCulture, $"<label class=\"option\"><input type=\"radio\" name=\"{WebUtility.HtmlEncode(input.Name)}\" value=\"{WebUtility.HtmlEncode(option)}\"{(option == chosen ? " checked" : string.Empty)}> {WebUtility.HtmlEncode(option)}</label>");
            }

            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{WebUtility.HtmlEncode(input.Help)}</p></fieldset>");
        }
    }
}
