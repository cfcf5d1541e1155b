using CloneFlow.Core.ServiceNow.UpdateSets;

namespace CloneFlow.Core.Tests.ServiceNow.UpdateSets;

public class UpdateSetSampleTests
{
    [Fact]
    public async Task The_same_options_give_the_same_bytes_and_another_seed_does_not()
    {
        var options = new UpdateSetSampleOptions { Updates = 30, Seed = 7 };

        var first = await WriteAsync(options);
        var second = await WriteAsync(options);
        var other = await WriteAsync(options with { Seed = 8 });

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task A_sample_is_a_batch_whose_updates_all_belong_to_its_sets()
    {
        var options = new UpdateSetSampleOptions { Sets = 4, Updates = 40, PayloadBytes = 5000, DeleteEvery = 5 };
        using var stream = new MemoryStream(await WriteAsync(options));

        var summary = await UpdateSetFileScanner.ScanAsync(stream);

        Assert.Equal(4, summary.UpdateSets.Count);
        var root = summary.UpdateSets[0];
        Assert.Equal(string.Empty, root.Parent);
        Assert.All(summary.UpdateSets.Skip(1), child => Assert.Equal(root.SysId, child.Parent));
        Assert.All(summary.UpdateSets.Skip(1), child => Assert.Equal(root.SysId, child.BaseUpdateSet));
        Assert.Equal(40, summary.Updates);
        Assert.Equal([10L, 10L, 10L, 10L], summary.UpdateSets.Select(s => s.UpdateCount));
        Assert.Equal(8, summary.UpdatesByAction["DELETE"]);
        Assert.Empty(summary.Warnings);
        Assert.InRange(summary.PayloadBytes / 40, 5000, 5600);
    }

    [Fact]
    public async Task Sample_payloads_carry_CDATA_scripts_that_the_writer_escapes()
    {
        using var stream = new MemoryStream(await WriteAsync(new UpdateSetSampleOptions { Updates = 4 }));
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());

        Assert.Contains("&lt;![CDATA[", text, StringComparison.Ordinal);
        var records = await Support.UnloadXml.ReadAllAsync(stream);
        Assert.All(records.OfType<UpdateXmlRecord>(), u => Assert.Contains("<![CDATA[", u.Payload, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Options_that_describe_no_file_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => UpdateSetSample.WriteAsync(Stream.Null, new UpdateSetSampleOptions { Sets = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => UpdateSetSample.WriteAsync(Stream.Null, new UpdateSetSampleOptions { Updates = -1 }));
    }

    private static async Task<byte[]> WriteAsync(UpdateSetSampleOptions options)
    {
        using var stream = new MemoryStream();
        await UpdateSetSample.WriteAsync(stream, options);
        return stream.ToArray();
    }
}
