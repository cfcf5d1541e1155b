using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CloneFlow.Core.Notifications;

/// <summary>The Graph <c>sendMail</c> body for one recipient: an HTML mail in which every value is HTML-escaped.</summary>
internal static class GraphMailMessage
{
    public static JsonObject Build(RenderedNotification message, string recipient) => new()
    {
        ["message"] = new JsonObject
        {
            ["subject"] = message.Subject,
            ["body"] = new JsonObject { ["contentType"] = "HTML", ["content"] = Html(message) },
            ["toRecipients"] = new JsonArray(new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = recipient } }),
        },
        ["saveToSentItems"] = false,
    };

    public static string Html(RenderedNotification message)
    {
        var html = new StringBuilder("<html><body style=\"font-family:'Segoe UI',Arial,sans-serif\">");
        html.Append("<h2>").Append(E(message.Title)).Append("</h2>");
        html.Append("<p style=\"font-size:20px\"><strong>").Append(E(message.Headline)).Append("</strong></p>");
        if (message.Text.Length > 0)
        {
            html.Append("<p>").Append(E(message.Text)).Append("</p>");
        }

        if (message.Facts.Count > 0)
        {
            html.Append("<table cellpadding=\"4\">");
            foreach (var fact in message.Facts)
            {
                html.Append("<tr><th align=\"left\">").Append(E(fact.Name)).Append("</th><td>").Append(E(fact.Value)).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        foreach (var button in message.Buttons)
        {
            html.Append("<p><a href=\"").Append(E(button.Url.AbsoluteUri)).Append("\">").Append(E(button.Title)).Append("</a></p>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
