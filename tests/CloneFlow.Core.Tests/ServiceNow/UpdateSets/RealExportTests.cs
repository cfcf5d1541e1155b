using CloneFlow.Core.ServiceNow.UpdateSets;
using CloneFlow.Core.Tests.Support;
using CloneFlow.Core.Text;

namespace CloneFlow.Core.Tests.ServiceNow.UpdateSets;

/// <summary>The reader and writer on every real ServiceNow export in shared/fixtures/updatesets.</summary>
public class RealExportTests
{
    public static TheoryData<string> Exports => RealExports.Names();

    [Theory]
    [InlineData("wrr_011924.xml", "x_1778869_wrr", 129, 24)]
    [InlineData("kalai_export_with_name.xml", "global", 4, 0)]
    [InlineData("jeannjang_13363b2f93affe10e502fbf08bba10ac.xml", "global", 15, 2)]
    [InlineData("voidtype_batch_tool.xml", "global", 3, 0)]
    public async Task Known_exports_have_their_documented_sets_updates_and_deletes(string name, string scope, int updates, int deletes)
    {
        await using var file = File.OpenRead(RealExports.PathOf(name));

        var records = await UnloadXml.ReadAllAsync(file);

        var set = Assert.Single(records.OfType<RemoteUpdateSetRecord>());
        Assert.Equal(scope, set.ApplicationScope);
        Assert.Equal("loaded", set.State);
        var changes = records.OfType<UpdateXmlRecord>().ToList();
        Assert.Equal(updates, changes.Count);
        Assert.Equal(deletes, changes.Count(u => u.Action == "DELETE"));
        Assert.Equal(updates - deletes, changes.Count(u => u.Action == "INSERT_OR_UPDATE"));
        Assert.All(changes, u => Assert.Equal(set.SysId, u.RemoteUpdateSet));
        Assert.All(changes, u => Assert.False(string.IsNullOrEmpty(u.Payload)));
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public async Task Every_field_and_attribute_matches_an_independent_whole_document_parse(string name)
    {
        var expected = IndependentParse.Records(IndependentParse.Load(RealExports.PathOf(name)));
        await using var file = File.OpenRead(RealExports.PathOf(name));

        var actual = await UnloadXml.ReadAllAsync(file);

        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Table, actual[i].Table);
            Assert.Equal(expected[i].Fields.Select(f => f.Name), actual[i].Fields.Select(f => f.Name));
            Assert.Equal(expected[i].Fields.Select(f => f.Value), actual[i].Fields.Select(f => f.Value));
            Assert.Equal(expected[i].Fields.SelectMany(f => f.Attributes), actual[i].Fields.SelectMany(f => f.Attributes));
        }
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public async Task Read_write_read_preserves_every_field_and_every_payload_hash(string name)
    {
        await using var file = File.OpenRead(RealExports.PathOf(name));
        var original = new UpdateSetXmlReader(file);
        var first = new List<UnloadRecord>();
        await foreach (var record in original.ReadAsync())
        {
            first.Add(record);
        }

        using var written = new MemoryStream();
        await using (var writer = await UpdateSetXmlWriter.CreateAsync(written, original.UnloadDate!))
        {
            foreach (var record in first)
            {
                await writer.WriteAsync(record);
            }

            await writer.CompleteAsync();
        }

        written.Position = 0;
        var again = new UpdateSetXmlReader(written);
        var second = new List<UnloadRecord>();
        await foreach (var record in again.ReadAsync())
        {
            second.Add(record);
        }

        Assert.Equal(original.UnloadDate, again.UnloadDate);
        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].Table, second[i].Table);
            Assert.Equal(first[i].ElementAction, second[i].ElementAction);
            Assert.Equal(first[i].Fields, second[i].Fields);
        }

        var hashesBefore = first.OfType<UpdateXmlRecord>().Select(u => TextSha256.Hex(u.Payload!));
        var hashesAfter = second.OfType<UpdateXmlRecord>().Select(u => TextSha256.Hex(u.Payload!));
        Assert.Equal(hashesBefore, hashesAfter);

        // The rewritten file is plain XML any parser reads the same way.
        written.Position = 0;
        var independent = IndependentParse.Records(IndependentParse.Load(written));
        Assert.Equal(first.OfType<UpdateXmlRecord>().Select(u => u.Payload), independent.Where(r => r.Table == "sys_update_xml").Select(r => r.Fields.Single(f => f.Name == "payload").Value));
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public async Task The_scanner_counts_every_update_and_hashes_payloads_like_the_independent_parse(string name)
    {
        var document = IndependentParse.Load(RealExports.PathOf(name));
        var expectedHashes = document.Root!.Elements("sys_update_xml").Select(u => (string?)TextSha256.Hex(u.Element("payload")!.Value)).ToList();
        var seen = new List<string?>();
        await using var file = File.OpenRead(RealExports.PathOf(name));

        var summary = await UpdateSetFileScanner.ScanAsync(file, (update, _) =>
        {
            seen.Add(update.PayloadSha256);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(expectedHashes, seen);
        Assert.Equal(expectedHashes.Count, summary.Updates);
        Assert.Equal(summary.Updates, summary.UpdateSets.Sum(s => s.UpdateCount));
        Assert.Empty(summary.Warnings);
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public async Task Counting_finds_what_the_independent_parse_finds(string name)
    {
        var document = IndependentParse.Load(RealExports.PathOf(name));
        var others = document.Root!.Elements()
            .Where(e => e.Name.LocalName is not ("sys_update_xml" or "sys_remote_update_set"))
            .GroupBy(e => e.Name.LocalName)
            .ToDictionary(g => g.Key, g => (long)g.Count());
        await using var file = File.OpenRead(RealExports.PathOf(name));

        var count = await UpdateSetFileScanner.CountAsync(file);

        Assert.Equal(document.Root.Elements("sys_update_xml").Count(), count.Updates);
        Assert.Equal(others, count.OtherRecordsByTable);
        Assert.Empty(count.Warnings);
    }
}
