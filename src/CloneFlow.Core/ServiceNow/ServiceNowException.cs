using System.Net;

namespace CloneFlow.Core.ServiceNow;

/// <summary>
/// A ServiceNow call that failed: the HTTP status, ServiceNow's own error message and detail, and
/// the request, so a person can act on it. The only exception the client lets out for a failed call.
/// </summary>
public sealed class ServiceNowException : Exception
{
    /// <summary>Creates the error for a failed call.</summary>
    public ServiceNowException(
        HttpStatusCode? status,
        string serviceMessage,
        string? detail,
        string? requestId,
        string operation,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(Describe(status, serviceMessage, detail, operation), innerException)
    {
        Status = status;
        ServiceMessage = serviceMessage;
        Detail = detail;
        RequestId = requestId;
        Operation = operation;
        RetryAfter = retryAfter;
    }

    /// <summary>Required by CA1032; prefer the constructor that names the call.</summary>
    public ServiceNowException()
        : this(null, "the ServiceNow call failed", null, null, "ServiceNow call")
    {
    }

    /// <summary>Required by CA1032.</summary>
    public ServiceNowException(string message)
        : this(null, message, null, null, "ServiceNow call")
    {
    }

    /// <summary>Required by CA1032.</summary>
    public ServiceNowException(string message, Exception innerException)
        : this(null, message, null, null, "ServiceNow call", null, innerException)
    {
    }

    /// <summary>The HTTP status, or null when no answer came (connection refused, timeout, open circuit).</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>ServiceNow's <c>error.message</c>, or a description of the transport failure.</summary>
    public string ServiceMessage { get; }

    /// <summary>ServiceNow's <c>error.detail</c>, when given.</summary>
    public string? Detail { get; }

    /// <summary>The instance's transaction/request id header, when it sent one.</summary>
    public string? RequestId { get; }

    /// <summary>What was attempted, e.g. <c>GET sys_update_set</c> on an instance (never a credential).</summary>
    public string Operation { get; }

    /// <summary>How long ServiceNow asked to wait (429/503 with Retry-After) when that was longer than the client waits itself.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when trying again later can succeed: throttling, restarts, 5xx, no answer.</summary>
    public bool IsTransient => Status is null or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)Status >= 500;

    private static string Describe(HttpStatusCode? status, string message, string? detail, string operation)
    {
        var code = status is null ? "no answer" : $"{(int)status} {status}";
        var more = string.IsNullOrWhiteSpace(detail) ? string.Empty : $" ({detail})";
        return $"{operation} failed: {code}: {message}{more}";
    }
}
