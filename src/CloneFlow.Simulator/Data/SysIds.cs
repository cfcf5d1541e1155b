using System.Security.Cryptography;
using System.Text;

namespace CloneFlow.Simulator.Data;

/// <summary>Makes 32-character lowercase hex sys_ids, from a seeded generator so estates are reproducible.</summary>
internal static class SysIds
{
    public static string New(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The same id for the same key on every instance, like platform records that ship with the product.</summary>
    public static string Stable(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));

    public static bool IsValid(string? value) =>
        value is { Length: 32 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
