using System.Globalization;
using System.Text.Json;

namespace CloneFlow.Core.ServiceNow.CiCd;

/// <summary>The state of an asynchronous CI/CD job (<c>/api/sn_cicd/progress/{id}</c>).</summary>
public enum CiCdStatus
{
    /// <summary>0: queued (for the update mutex, possibly for hours).</summary>
    Pending = 0,

    /// <summary>1: running.</summary>
    Running = 1,

    /// <summary>2: finished successfully.</summary>
    Successful = 2,

    /// <summary>3: finished with an error.</summary>
    Failed = 3,

    /// <summary>4: canceled.</summary>
    Canceled = 4,
}

/// <summary>A CI/CD job's progress as ServiceNow reports it.</summary>
/// <param name="ProgressId">The id to poll.</param>
/// <param name="Status">The job state.</param>
/// <param name="StatusLabel">ServiceNow's label for the state.</param>
/// <param name="Message">status_message.</param>
/// <param name="Detail">status_detail.</param>
/// <param name="Error">error, when the job failed.</param>
/// <param name="PercentComplete">0 to 100.</param>
/// <param name="ResultsId">links.results.id, when the job produced a record (e.g. a preview or commit result).</param>
public sealed record CiCdProgress(
    string ProgressId,
    CiCdStatus Status,
    string StatusLabel,
    string? Message,
    string? Detail,
    string? Error,
    int PercentComplete,
    string? ResultsId)
{
    /// <summary>True once the job can change no more.</summary>
    public bool IsFinished => Status is CiCdStatus.Successful or CiCdStatus.Failed or CiCdStatus.Canceled;

    /// <summary>Reads <c>{"result": {...}}</c>.</summary>
    internal static CiCdProgress FromJson(JsonElement result)
    {
        var links = result.TryGetProperty("links", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        var progressId = Link(links, "progress") ?? throw new JsonException("The CI/CD answer has no links.progress.id.");
        var statusText = Text(result, "status") ?? "0";
        var status = int.TryParse(statusText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) && Enum.IsDefined(typeof(CiCdStatus), code)
            ? (CiCdStatus)code
            : throw new JsonException($"Unknown CI/CD status '{statusText}'.");
        var percent = int.TryParse(Text(result, "percent_complete"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0;
        return new CiCdProgress(
            progressId,
            status,
            Text(result, "status_label") ?? status.ToString(),
            Text(result, "status_message"),
            Text(result, "status_detail"),
            Text(result, "error"),
            percent,
            Link(links, "results"));
    }

    private static string? Link(JsonElement links, string name) =>
        links.ValueKind == JsonValueKind.Object && links.TryGetProperty(name, out var link) && link.ValueKind == JsonValueKind.Object
            ? Text(link, "id")
            : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
