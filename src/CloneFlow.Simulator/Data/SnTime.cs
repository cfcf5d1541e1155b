using System.Globalization;

namespace CloneFlow.Simulator.Data;

/// <summary>ServiceNow's glide_date_time text form (UTC, "yyyy-MM-dd HH:mm:ss").</summary>
internal static class SnTime
{
    public const string Format = "yyyy-MM-dd HH:mm:ss";

    public static string Text(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParseExact(text, Format, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    /// <summary>sys_recorded_at as real exports carry it: hex epoch milliseconds followed by a 7-digit sequence.</summary>
    public static string RecordedAt(DateTimeOffset time, int sequence) =>
        time.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture)
        + (sequence % 10_000_000).ToString("0000000", CultureInfo.InvariantCulture);

    public static long? RecordedAtMillis(string? recordedAt)
    {
        if (recordedAt is null || recordedAt.Length <= 7)
        {
            return null;
        }

        return long.TryParse(recordedAt.AsSpan(0, recordedAt.Length - 7), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : null;
    }
}
