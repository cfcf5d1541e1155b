using System.Text.Json.Nodes;

namespace CloneFlow.Core.Notifications;

/// <summary>
/// The Teams Workflows webhook body: a <c>message</c> with one Adaptive Card 1.4 attachment, written
/// by hand (no card library is served). Buttons are <c>Action.OpenUrl</c> links to CloneFlow's pages,
/// because a card cannot call back without a bot.
/// </summary>
internal static class AdaptiveCardMessage
{
    public static JsonObject Build(RenderedNotification message)
    {
        var body = new JsonArray
        {
            TextBlock(message.Title, size: "Medium", bold: true),
            TextBlock(message.Headline, size: "Large", bold: true),
        };
        if (message.Text.Length > 0)
        {
            // The text can quote ServiceNow data (update-set names); a RichTextBlock renders no
            // markdown, so a name like "[Approve](https://evil)" cannot become a link.
            body.Add(new JsonObject
            {
                ["type"] = "RichTextBlock",
                ["inlines"] = new JsonArray(new JsonObject { ["type"] = "TextRun", ["text"] = message.Text }),
            });
        }

        if (message.Facts.Count > 0)
        {
            body.Add(new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray([.. message.Facts.Select(f => (JsonNode)new JsonObject { ["title"] = f.Name, ["value"] = f.Value })]),
            });
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
            ["actions"] = new JsonArray([.. message.Buttons.Select(b => (JsonNode)new JsonObject
            {
                ["type"] = "Action.OpenUrl",
                ["title"] = b.Title,
                ["url"] = b.Url.AbsoluteUri,
            })]),
        };

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        };
    }

    private static JsonObject TextBlock(string text, string size, bool bold)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true, ["size"] = size };
        if (bold)
        {
            block["weight"] = "Bolder";
        }

        return block;
    }
}
