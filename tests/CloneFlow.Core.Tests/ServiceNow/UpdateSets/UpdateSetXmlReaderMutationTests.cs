using CloneFlow.Core.ServiceNow.UpdateSets;
using CloneFlow.Core.Tests.Support;

namespace CloneFlow.Core.Tests.ServiceNow.UpdateSets;

/// <summary>Seeded random damage to the real exports: the reader either parses or refuses with its one clear error; it never crashes or hangs.</summary>
public class UpdateSetXmlReaderMutationTests
{
    private static readonly byte[][] Insertions =
    [
        "<"u8.ToArray(), "&"u8.ToArray(), "]]>"u8.ToArray(), "<!DOCTYPE x [<!ENTITY a \"b\">]>"u8.ToArray(), "&a;"u8.ToArray(),
        "</unload>"u8.ToArray(), [0xFF, 0xFE], [0x00], "<payload>"u8.ToArray(), "\u00e9"u8.ToArray(),
    ];

    public static TheoryData<string> Exports => RealExports.Names();

    [Theory]
    [MemberData(nameof(Exports))]
    public async Task Three_hundred_mutations_of_each_export_parse_or_fail_cleanly(string name)
    {
        var original = await File.ReadAllBytesAsync(RealExports.PathOf(name));
        var random = new Random(name.Length * 7919);
        int parsed = 0, refused = 0;
        for (var i = 0; i < 300; i++)
        {
            var mutated = Mutate(original, random);
            using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await foreach (var unused in new UpdateSetXmlReader(new MemoryStream(mutated)).ReadAsync(cancellation.Token))
                {
                }

                parsed++;
            }
            catch (UpdateSetFormatException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Problem));
                refused++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutation {i} of {name} threw {ex.GetType().Name}: {ex.Message}");
            }
        }

        Assert.Equal(300, parsed + refused);
        Assert.True(refused > 0, "mutations must break some files, or this test proves nothing");
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        for (var edits = random.Next(1, 4); edits > 0 && bytes.Count > 0; edits--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 64), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, Insertions[random.Next(Insertions.Length)]);
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }
}
