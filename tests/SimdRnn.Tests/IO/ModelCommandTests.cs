using SimdRnn.Cli;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary><c>simdrnn eval</c>, <c>predict</c> and <c>inspect</c> on a model trained once for the class.</summary>
public sealed class ModelCommandTests : IClassFixture<ModelCommandTests.TrainedModel>, IDisposable
{
    private readonly TrainedModel _trained;
    private readonly TempDirectory _dir = new();

    public ModelCommandTests(TrainedModel trained) => _trained = trained;

    public void Dispose() => _dir.Dispose();

    private string Model => _trained.Path;

    private string Mnist => _trained.Mnist;

    /// <summary>A small rnn trained to recognise <see cref="CliFiles.EasyImage"/> digits.</summary>
    public sealed class TrainedModel : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public TrainedModel()
        {
            Mnist = CliFiles.EasyMnist();
            Path = System.IO.Path.Combine(_dir.Path, "model.safetensors");
            var run = CliFiles.Run(TestCells.All, "train", "--cell", "rnn", "--hidden", "16", "--batch", "30", "--lr", "0.05", "--epochs", "4",
                "--threads", "1", "--data", Mnist, "--save", Path);
            if (run.ExitCode != 0) throw new InvalidOperationException($"training the fixture failed: {run.Error}");
        }

        public string Mnist { get; }

        public string Path { get; }

        public void Dispose() => _dir.Dispose();
    }

    [Fact]
    public void Eval_PrintsAccuracyPerClassAndTheConfusionMatrix()
    {
        var run = CliFiles.Run(TestCells.All, "eval", "--model", Model, "--data", Mnist);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Out.Split('\n');
        Assert.Equal($"Model: {Model} (rnn, hidden 16, layers 1, epoch 4)", lines[0]);
        Assert.Matches(@"^Test accuracy: [01]\.\d{4} \([\d,]+ of 60\), mean cost \d+\.\d{6}$", lines[1]);
        Assert.Equal("Per class:", lines[2]);
        Assert.Matches(@"^  0: [01]\.\d{4} \(\d of 6\)$", lines[3]);
        Assert.Equal("Confusion matrix (rows: true class, columns: predicted):", lines[13]);
        Assert.Equal("        0    1    2    3    4    5    6    7    8    9", lines[14]);
        Assert.Equal(10, lines.Skip(15).Count(l => l.StartsWith("  ", StringComparison.Ordinal)));
    }

    [Fact]
    public void EvalJson_HasAccuracyPerClassAndConfusion()
    {
        var run = CliFiles.Run(TestCells.All, "eval", "--model", Model, "--data", Mnist, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(60, root.GetProperty("count").GetInt32());
        double accuracy = root.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.5, $"the fixture model should have learned the easy digits, accuracy {accuracy}");
        Assert.Equal(10, root.GetProperty("per_class_accuracy").GetArrayLength());
        var confusion = root.GetProperty("confusion");
        Assert.Equal(10, confusion.GetArrayLength());
        int diagonal = Enumerable.Range(0, 10).Sum(i => confusion[i][i].GetInt32());
        Assert.Equal(accuracy, diagonal / 60.0, 9);
    }

    [Fact]
    public void Predict_ReadsPgmPngAndIdxFiles()
    {
        var random = new Random(9);
        byte[] three = CliFiles.EasyImage(3, random), seven = CliFiles.EasyImage(7, random);
        string pgm = _dir.Write("three.pgm", CliFiles.Pgm(three, 28, 28));
        // Dark strokes on white, in colour, twice the size: inverted, luminance, area-averaged back to 28x28.
        string png = _dir.Write("seven.png", CliFiles.Png(LightColourTwiceTheSize(seven), 56, 56, colourType: 2));
        string idx = _dir.Write("digits-idx3-ubyte", CliFiles.IdxImages([three, seven, three]));

        var run = CliFiles.Run(TestCells.All, "predict", "--model", Model, pgm, png, idx, "--limit", "2");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Matches($@"^{Escape(pgm)}: 3 \(\d\.\d{{4}}\)$", lines[0]);
        Assert.Matches($@"^{Escape(png)}: 7 \(\d\.\d{{4}}\)$", lines[1]);
        Assert.Matches($@"^{Escape(idx)}\[0\]: 3 ", lines[2]);
        Assert.Matches($@"^{Escape(idx)}\[1\]: 7 ", lines[3]);
    }

    [Fact]
    public void Predict_ReadsJpeg()
    {
        // 56x56 baseline JPEG (made once with cjpeg -quality 90): a dark blue bar at column 36-37 on off-white, the easy seven.
        string jpeg = _dir.Write("seven.jpg", Convert.FromBase64String(SevenJpeg));

        var image = Assert.Single(DigitImages.Read(jpeg));
        var run = CliFiles.Run(TestCells.All, "predict", "--model", Model, jpeg);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches($@"^{Escape(jpeg)}: 7 \(\d\.\d{{4}}\)\n$", run.Out);
        Assert.InRange(image.Pixels[14 * 28 + 18], 0.8f, 1f);
        Assert.InRange(image.Pixels[14 * 28 + 5], 0f, 0.1f);
    }

    private const string SevenJpeg = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAA4ADgDASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAAgJ/8QAGhABAAEFAAAAAAAAAAAAAAAAAAMHCDiGtf/EABYBAQEBAAAAAAAAAAAAAAAAAAAEAv/EABsRAQACAgMAAAAAAAAAAAAAAAABAwIxM3Ky/9oADAMBAAIRAxEAPwDTUBOAAJvrnmRbHs/OjUgm+ueZFsez86NSC2/jp6z6yZjcgCJoAAABN9c8yLY9n50akE31zzItj2fnRqQW38dPWfWTMbkARNAAAAJvrnmRbHs/OjUgm+ueZFsez86NSC2/jp6z6yZjcgCJoAAABN9c8yLY9n50akAW38dPWfWTMbkARNP/2Q==";

    [Fact]
    public void PredictJson_GivesEveryProbability()
    {
        string pgm = _dir.Write("three.pgm", CliFiles.Pgm(CliFiles.EasyImage(3, new Random(1)), 28, 28));

        var run = CliFiles.Run(TestCells.All, "predict", "--model", Model, "--json", pgm);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(pgm, root.GetProperty("file").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("index").ValueKind);
        Assert.Equal(3, root.GetProperty("digit").GetInt32());
        var probabilities = root.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        Assert.Equal(10, probabilities.Length);
        Assert.Equal(1.0, probabilities.Sum(), 4);
        Assert.Equal(probabilities.Max(), root.GetProperty("probability").GetDouble(), 6);
    }

    [Fact]
    public void PredictOfANonImage_IsOneLineAndExitOne()
    {
        string text = _dir.Write("notes.txt", "hello"u8.ToArray());

        var run = CliFiles.Run(TestCells.All, "predict", "--model", Model, text);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal($"simdrnn: {text}: expected a PNG, JPEG, BMP, GIF, TGA, PGM or IDX image file, found none of these\n", run.Error);
    }

    [Fact]
    public void Inspect_ListsCellSizesTensorsAndMetadata()
    {
        var run = CliFiles.Run(TestCells.All, "inspect", Model);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string text = run.Out;
        Assert.StartsWith($"File: {Model} (", text);
        Assert.Contains("Cell: rnn (spec hash test-rnn-1, as in this build)\n", text);
        Assert.Contains("Sizes: steps 28, input 28, hidden 16, layers 1, classes 10\n", text);
        int parameters = 16 * 28 + 16 * 16 + 16 + 16 + 10 * 16 + 10;
        Assert.Contains($"Parameters: {parameters:N0} ({parameters * 4:N0} bytes as F32)\n", text);
        Assert.Contains("Optimizer state: adam, ", text);
        Assert.Contains("Epochs completed: 4\n", text);
        Assert.Contains("Training: cell rnn, hidden 16, layers 1, batch 30, lr 0.05, epochs 4, optimizer adam", text);
        Assert.Matches(@"\n  rnn\.weight_ih_l0 +F32 +\[16, 28\]\n", text);
        Assert.Matches(@"\n  fc\.bias +F32 +\[10\]\n", text);
        Assert.Contains("\n  format = simdrnn\n", text);
    }

    [Fact]
    public void InspectJson_SaysTheFileLoads()
    {
        var run = CliFiles.Run(TestCells.All, "inspect", "--json", Model);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.True(root.GetProperty("loads").GetBoolean());
        Assert.Equal("rnn", root.GetProperty("cell").GetString());
        Assert.Equal(16, root.GetProperty("hidden").GetInt32());
        Assert.Equal("4", root.GetProperty("metadata").GetProperty("epoch").GetString());
    }

    [Fact]
    public void InspectOfAFileThatDoesNotLoad_ShowsItThenExitsOne()
    {
        var run = CliFiles.Run([TestCells.Lstm], "inspect", Model);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("Cell: rnn (the file does not load: see the error below)\n", run.Out);
        Assert.Equal($"simdrnn: {Model}: cell 'rnn' is not available: expected one of lstm\n", run.Error);
    }

    public static TheoryData<string, string> BadModelFiles => new()
    {
        { "truncated", "tensor 'optimizer.adam.v.fc.weight': expected data_offsets within the" },
        { "oversized header", "expected a header of at most 104857600 bytes, found a header length of 4294967296000" },
        { "wrong dtype", "tensor 'fc.bias': expected dtype F32 (or F64, F16, BF16), found I32" },
        { "wrong shape", "tensor 'fc.bias': expected shape [10], found [5]" },
        { "missing tensor", "tensor 'rnn.bias_hh_l0': expected shape [16], found no such tensor" },
        { "unknown cell", "cell 'gru' is not available: expected one of rnn, lstm" },
        { "spec hash", "cell 'rnn' has changed since this file was saved: expected spec hash 'old', found test-rnn-1 in this build" },
    };

    [Theory]
    [MemberData(nameof(BadModelFiles))]
    public void BadModelFile_IsOneLineNamingItAndExitOne(string problem, string expected)
    {
        string path = _dir.Write(problem.Replace(' ', '-') + ".safetensors", Damage(File.ReadAllBytes(Model), problem));

        foreach (string[] args in new[] { new[] { "eval", "--model", path, "--data", Mnist }, ["predict", "--model", path, Model], ["inspect", path] })
        {
            var run = CliFiles.Run(TestCells.All, args);

            Assert.Equal(ExitCodes.Error, run.ExitCode);
            Assert.True(run.Error.StartsWith($"simdrnn: {path}: {expected}", StringComparison.Ordinal), run.Error);
            Assert.Single(run.ErrorLines);
        }
    }

    [Fact]
    public void MissingModelOption_IsAUsageError()
    {
        var run = CliFiles.Run(TestCells.All, "eval", "--data", Mnist);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --model FILE is required; run 'simdrnn eval --help' for usage\n", run.Error);
    }

    [Fact]
    public void MissingModelFile_IsExitOne()
    {
        string path = Path.Combine(_dir.Path, "absent.safetensors");

        var run = CliFiles.Run(TestCells.All, "eval", "--model", path, "--data", Mnist);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal($"simdrnn: {path}: no such model file\n", run.Error);
    }

    private static byte[] Damage(byte[] file, string problem)
    {
        var (json, data) = ModelFiles.Split(file);
        return problem switch
        {
            "truncated" => file[..(file.Length - 100)],
            "oversized header" => [.. BitConverter.GetBytes(4294967296000UL), .. file[8..]],
            "wrong dtype" => ModelFiles.Join(ReplaceAfter(json, "\"fc.bias\"", "\"F32\"", "\"I32\""), data),
            "wrong shape" => FixOffsets(file, "fc.bias", 5),
            "missing tensor" => Rewrite(file, tensors => tensors.Where(t => t.Name != "rnn.bias_hh_l0"), m => { }),
            "unknown cell" => Rewrite(file, t => t, m => m["cell"] = "gru"),
            "spec hash" => Rewrite(file, t => t, m => m["spec_hash"] = "old"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
    }

    private static byte[] FixOffsets(byte[] file, string name, int length) =>
        Rewrite(file, tensors => tensors.Select(t => t.Name == name ? t with { Shape = [length], Values = t.Values[..length] } : t), m => { });

    private static byte[] Rewrite(byte[] file, Func<IEnumerable<TensorToWrite>, IEnumerable<TensorToWrite>> tensors, Action<Dictionary<string, string>> metadata)
    {
        string path = System.IO.Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, file);
            Dictionary<string, string> meta;
            List<TensorToWrite> list;
            using (var safetensors = SafetensorsFile.Open(path))
            {
                meta = safetensors.Header.Metadata.ToDictionary();
                list = safetensors.Header.Tensors.Select(t => new TensorToWrite(t.Name, t.Shape.Select(d => (int)d).ToArray(), safetensors.ReadFloats(t))).ToList();
            }

            metadata(meta);
            SafetensorsWriter.Write(path, tensors(list).ToList(), meta);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string ReplaceAfter(string text, string anchor, string from, string to)
    {
        int at = text.IndexOf(anchor, StringComparison.Ordinal);
        int hit = text.IndexOf(from, at, StringComparison.Ordinal);
        return text[..hit] + to + text[(hit + from.Length)..];
    }

    private static byte[] LightColourTwiceTheSize(byte[] digit)
    {
        var rgb = new byte[56 * 56 * 3];
        for (int y = 0; y < 56; y++)
        {
            for (int x = 0; x < 56; x++)
            {
                byte ink = digit[(y / 2) * 28 + x / 2];
                int at = (y * 56 + x) * 3;
                rgb[at] = (byte)(255 - ink);        // dark red-ish strokes on white
                rgb[at + 1] = (byte)(255 - ink);
                rgb[at + 2] = (byte)(255 - ink / 2);
            }
        }

        return rgb;
    }

    private static string Escape(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
