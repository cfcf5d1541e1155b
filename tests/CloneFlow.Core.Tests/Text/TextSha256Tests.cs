using System.Security.Cryptography;
using System.Text;
using CloneFlow.Core.Text;

namespace CloneFlow.Core.Tests.Text;

public class TextSha256Tests
{
    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("é漢😀")]
    public void Matches_SHA256_of_the_UTF8_bytes(string text)
    {
        var digest = TextSha256.Compute(text);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), digest.Sha256);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), digest.Utf8Bytes);
    }

    [Fact]
    public void Surrogate_pairs_split_across_chunks_hash_as_one_character()
    {
        // 16 KiB chunks: put an emoji (two UTF-16 units) across every boundary of a 100 KB text.
        var text = new StringBuilder();
        while (text.Length < 100_000)
        {
            text.Append('a', 16 * 1024 - 1 - (text.Length % (16 * 1024))).Append("😀");
        }

        var value = text.ToString();

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value))), TextSha256.Hex(value));
    }

    [Fact]
    public void The_known_vector_for_abc()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", TextSha256.Hex("abc"));
    }
}
