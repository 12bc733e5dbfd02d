using System.Text;
using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// The formats of the task shapes, from elsewhere: long-layout and per-step CSV files, text, and model files whose
/// head or vocabulary metadata lies. Whatever a valid file becomes, it loads or fails with the documented exception
/// in one line naming the file, allocating in proportion to the file, and never hangs.
/// </summary>
public sealed class TaskFormatsRobustnessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static readonly string LongText = "sequence,label,x,y\n" + string.Concat(Enumerable.Range(0, 8).SelectMany(n =>
        Enumerable.Range(0, 3).Select(t => $"s{n},{n % 2},{0.1 * t},{0.2 * n}\n")));

    private static readonly CsvFormat[] Formats =
    [
        new() { Layout = CsvLayout.Long },
        new() { Layout = CsvLayout.Long, Task = HeadKind.Tag },
        new() { Layout = CsvLayout.Long, Task = HeadKind.Regress, TargetColumns = ["label"] },
        new() { Layout = CsvLayout.Long, Task = HeadKind.RegressSteps, TargetColumns = ["label", "y"], Targets = 2 },
        new() { Task = HeadKind.RegressSteps, Steps = 3, Inputs = 1 },
        new() { Task = HeadKind.Tag, Steps = 2, Inputs = 2 },
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Property(MaxTest = 300)]
    public void MutatedCsv_OfEveryTaskAndLayout_LoadsOrThrowsDataFormatException((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt format, NonNegativeInt cut, bool truncate)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(LongText);
        if (truncate) bytes = bytes[..(cut.Get % (bytes.Length + 1))];
        foreach (var (position, value) in mutations)
        {
            if (bytes.Length > 0) bytes[position.Get % bytes.Length] = value;
        }

        var chosen = Formats[format.Get % Formats.Length];
        Bounded(bytes, path =>
        {
            try
            {
                Assert.True(CsvDataset.Load(path, chosen).Count > 0);
            }
            catch (DataFormatException e)
            {
                OneLineNaming(path, e);
            }
        });
    }

    [Property(MaxTest = 300)]
    public void RandomBytes_AsText_DecodeToWindowsOrThrowDataFormatException(byte[] bytes, PositiveInt steps)
    {
        Bounded(bytes ?? [], path =>
        {
            try
            {
                var text = TextCorpus.Read(path);
                var data = TextCorpus.Windows(text, Vocabulary.Of(text), 1 + steps.Get % 8, path);
                Assert.True(data.Count > 0);
                Assert.Equal(data.Inputs, data.Head.Outputs);
            }
            catch (DataFormatException e)
            {
                OneLineNaming(path, e);
            }
        });
    }

    [Theory]
    [InlineData("head", "tagging", "metadata 'head': expected one of classify, tag, regress, regress-steps, found 'tagging'")]
    [InlineData("vocabulary", "\uFFFDab", "metadata 'vocabulary': expected 4 characters, one per input and class of a tag head, found 3 for a tag head of 4")]
    [InlineData("vocabulary", "ab", "metadata 'vocabulary': expected U+FFFD and at least one more character, found 2 character(s)")]
    [InlineData("vocabulary", "\uFFFDba", "metadata 'vocabulary': expected distinct characters in code point order")]
    public void ModelFile_WithLyingHeadMetadata_IsOneLineNamingTheKey(string key, string value, string detail)
    {
        string path = Path.Combine(_dir.Path, "model.safetensors");
        var shape = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "gru")!, 3, 4, 5, 1, new Head(HeadKind.Tag, 4));
        using (var network = new Network<float>(shape)) ModelFile.Save(path, network, new ModelCheckpoint { Vocabulary = Vocabulary.FromText("\uFFFDabc") });
        RewriteMetadata(path, key, value);

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Describe(path, CellCatalog.BuiltIn));

        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ModelFile_Vocabulary_RoundTrips_AndIsOnlyForTagHeads()
    {
        string path = Path.Combine(_dir.Path, "lm.safetensors");
        var shape = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "gru")!, 3, 4, 5, 1, new Head(HeadKind.Tag, 4));
        using var network = new Network<float>(shape);
        ModelFile.Save(path, network, new ModelCheckpoint { Vocabulary = Vocabulary.FromText("\uFFFDab\u00e9") });

        Assert.Equal("\uFFFDab\u00e9", ModelFile.Describe(path, CellCatalog.BuiltIn).Vocabulary!.Text);
        var classify = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "gru")!, 3, 4, 5, 1, 4);
        using var classifier = new Network<float>(classify);
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, classifier, new ModelCheckpoint { Vocabulary = Vocabulary.FromText("\uFFFDabc") }));
    }

    // Replaces one metadata value in a safetensors file, keeping the rest (the header is re-padded).
    private static void RewriteMetadata(string path, string key, string value)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long length = BitConverter.ToInt64(bytes, 0);
        var header = System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)length))!.AsObject();
        header["__metadata__"]![key] = value;
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((long)padded));
        file.Write(json);
        for (int i = json.Length; i < padded; i++) file.WriteByte((byte)' ');
        file.Write(bytes, 8 + (int)length, bytes.Length - 8 - (int)length);
    }

    private static void OneLineNaming(string path, DataFormatException e)
    {
        Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
    }

    private void Bounded(byte[] bytes, Action<string> read)
    {
        string path = _dir.Write(Path.GetRandomFileName(), bytes);
        var load = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            read(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (1 << 20) + 256L * bytes.Length, $"reading {bytes.Length} bytes allocated {allocated}");
        });

        Assert.True(load.Wait(Patience), $"reading {bytes.Length} bytes did not finish within {Patience}");
        load.GetAwaiter().GetResult();
        File.Delete(path);
    }
}
