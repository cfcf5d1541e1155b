using System.Globalization;
using System.Text;

namespace CloneFlow.Simulator.Seeding;

/// <summary>
/// The source of a seeded script (a Script Include's class with methods of GlideRecord queries, checks,
/// log lines and comments), varied the way real scripts are: names, tables, fields and comments are
/// drawn from a vocabulary, so an export of them compresses about as much as real exports do (gzip at
/// its fastest level: the benchmark's 10k export 3.9x, where the real exports in the fixtures give 3.1x
/// to 5.3x). A script of one repeated method compressed about 20x and would flatter anything that stores
/// exports compressed.
/// </summary>
internal static class ScriptText
{
    private static readonly string[] Words =
    [
        "incident", "task", "user", "group", "assignment", "priority", "state", "approval", "request", "item", "catalog", "change",
        "risk", "impact", "urgency", "category", "subcategory", "caller", "location", "company", "department", "cost", "center",
        "asset", "model", "vendor", "contract", "sla", "breach", "duration", "schedule", "calendar", "notification", "email",
        "event", "queue", "record", "table", "field", "value", "reference", "choice", "list", "display", "short", "description",
        "comments", "work", "notes", "journal", "audit", "history", "version", "scope", "application", "module", "policy", "rule",
        "action", "script", "include", "business", "client", "page", "macro", "widget", "portal", "survey", "knowledge",
        "article", "feedback", "rating", "problem", "known", "error", "workaround", "cause", "resolution", "close", "code",
        "configuration", "relationship", "service", "offering", "owner", "manager", "escalation", "reminder", "timer", "flow",
        "trigger", "condition",
    ];

    private static readonly string[] Locals = ["gr", "current", "previous", "answer", "result", "count", "total", "items", "rows", "map", "data", "response", "limit", "index", "key"];

    /// <summary>A script for the class <paramref name="className"/> of at least <paramref name="size"/> characters.</summary>
    public static string Write(string className, int size, Random random)
    {
        var script = new StringBuilder(size + 400);
        script.Append("var ").Append(className).Append(" = Class.create();\n").Append(className).Append(".prototype = {\n    initialize: function() {},\n");
        while (script.Length < size)
        {
            script.Append("    ").Append(Identifier(random)).Append(": function(current) {\n");
            for (var statements = random.Next(2, 7); statements > 0; statements--)
            {
                Statement(script, random);
            }

            script.Append("    },\n");
        }

        return script.Append("    type: '").Append(className).Append("'\n};").ToString();
    }

    private static void Statement(StringBuilder script, Random random)
    {
        var name = Identifier(random);
        switch (random.Next(8))
        {
            case 0:
                script.Append(CultureInfo.InvariantCulture, $"        var {name} = current.getValue('{Word(random)}_{Word(random)}');\n");
                break;
            case 1:
                script.Append(CultureInfo.InvariantCulture, $"        if ({name} && {Local(random)}.{Identifier(random)}() > {random.Next(100)}) {{\n            gs.info('{Word(random)} {Word(random)} {Word(random)}: ' + {name});\n        }}\n");
                break;
            case 2:
                var match = random.Next(10) < 3 ? SysId(random) : Word(random);
                script.Append(CultureInfo.InvariantCulture, $"        var {name} = new GlideRecord('{Word(random)}_{Word(random)}');\n        {name}.addQuery('{Word(random)}', '{match}');\n        {name}.query();\n");
                break;
            case 3:
                script.Append(CultureInfo.InvariantCulture, $"        // {Capitalised(Word(random))} the {Word(random)} {Word(random)} before {Word(random)} {Word(random)}\n");
                break;
            case 4:
                script.Append(CultureInfo.InvariantCulture, $"        {Local(random)}.setValue('{Word(random)}', {Local(random)}.{Identifier(random)} + {random.Next(1000)});\n");
                break;
            case 5:
                script.Append(CultureInfo.InvariantCulture, $"        while ({name}.next()) {{\n            {Local(random)}.push({name}.getUniqueValue());\n        }}\n");
                break;
            case 6:
                script.Append(CultureInfo.InvariantCulture, $"        return this.{Identifier(random)}({Local(random)}, '{Word(random)}');\n");
                break;
            default:
                script.Append(CultureInfo.InvariantCulture, $"        {Local(random)} = {Local(random)}.{Identifier(random)}('{Word(random)}', {random.Next(50)});\n");
                break;
        }
    }

    private static string Word(Random random) => Words[random.Next(Words.Length)];

    private static string Local(Random random) => Locals[random.Next(Locals.Length)];

    private static string Identifier(Random random) => Word(random) + Capitalised(Word(random));

    private static string Capitalised(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private static string SysId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
