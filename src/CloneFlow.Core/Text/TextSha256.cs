using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace CloneFlow.Core.Text;

/// <summary>SHA-256 of text as UTF-8 bytes, computed in chunks so a multi-MB payload is not copied whole.</summary>
public static class TextSha256
{
    private const int ChunkChars = 16 * 1024;

    /// <summary>The lowercase hex SHA-256 of the UTF-8 encoding of <paramref name="text"/>.</summary>
    public static string Hex(string text) => Compute(text).Sha256;

    /// <summary>The SHA-256 and the length of the UTF-8 encoding of <paramref name="text"/>.</summary>
    public static TextDigest Compute(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetEncoder();
        long length = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(ChunkChars));
        try
        {
            var remaining = text.AsSpan();
            while (true)
            {
                var take = Math.Min(ChunkChars, remaining.Length);
                var last = take == remaining.Length;
                // Surrogate pairs split across chunks are carried over by the encoder (flush only at the end).
                var bytes = encoder.GetBytes(remaining[..take], buffer, flush: last);
                hash.AppendData(buffer, 0, bytes);
                length += bytes;
                remaining = remaining[take..];
                if (last)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new TextDigest(Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }
}

/// <summary>A text's SHA-256 (lowercase hex) and its length in UTF-8 bytes.</summary>
public sealed record TextDigest(string Sha256, long Utf8Bytes);
