using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using SimdRnn.Cli;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Tests.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary>
/// <c>--mnist-layout</c> end to end: the option's errors, the layout a model file records, and eval, predict,
/// inspect and --resume reading MNIST as the model was trained to.
/// </summary>
public sealed class MnistLayoutFileTests : IDisposable
{
    private static readonly string Mnist = FlatMnist();
    private static readonly string[] Common = ["train", "--cell", "rnn", "--hidden", "6", "--batch", "30", "--lr", "0.1", "--threads", "1", "--data", Mnist];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string PathOf(string name) => Path.Combine(_dir.Path, name);

    // Every pixel of image n is 20 + 25 * (n % 10), its label n % 10: in any pixel order the last step alone tells the
    // digit, so a tiny network passes the chance-level check after one epoch of 784 steps.
    private static string FlatMnist()
    {
        string directory = SimdRnn.Tests.Cli.Idx.TempDirectory();
        foreach (var (prefix, count) in new[] { ("train", 300), ("t10k", 20) })
        {
            var images = Enumerable.Range(0, count).Select(n => Enumerable.Repeat((byte)(20 + 25 * (n % 10)), 784).ToArray()).ToArray();
            File.WriteAllBytes(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), CliFiles.IdxImages(images));
            File.WriteAllBytes(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), IdxFiles.Labels(Enumerable.Range(0, count).Select(n => (byte)(n % 10)).ToArray()));
        }

        return directory;
    }

    private string Train(string layout, string name)
    {
        string model = PathOf(name);
        var run = CliFiles.Run(TestCells.All, [.. Common, "--epochs", "1", "--mnist-layout", layout, "--save", model]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        return model;
    }

    [Theory]
    [InlineData("train", "--train", "a.csv", "--test", "b.csv", "--steps", "2", "--inputs", "2")]
    [InlineData("train", "--train", "a.txt")]
    [InlineData("bench", "--train", "a.csv", "--test", "b.csv", "--steps", "2", "--inputs", "2")]
    public void Layout_NeedsTheMnistFormat(string command, params string[] files)
    {
        string format = files[1].EndsWith(".txt", StringComparison.Ordinal) ? "text" : "csv";
        var run = CliFiles.Run(TestCells.All, [command, "--data-format", format, .. files, "--mnist-layout", "pixels"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"simdrnn: --mnist-layout needs --data-format mnist (it says how an MNIST image becomes a sequence), not {format}", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Layout_OfAnotherName_IsRefusedWithTheChoices()
    {
        var run = CliFiles.Run(TestCells.All, [.. Common, "--mnist-layout", "columns"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --mnist-layout must be one of rows, pixels, permuted, got 'columns'", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void TrainPixels_RecordsTheLayout_AndEvalInspectAndResumeUseIt()
    {
        string model = PathOf("pixels.safetensors");
        var train = CliFiles.Run(TestCells.All, [.. Common, "--epochs", "1", "--mnist-layout", "pixels", "--save", model, "--json"]);
        Assert.True(train.ExitCode == ExitCodes.Success, train.Error);
        Assert.Contains("test images as 784 steps of 1 pixel", train.Error);

        var description = ModelFile.Describe(model, TestCells.All);
        Assert.Equal(MnistLayout.Pixels, description.MnistLayout);
        Assert.Equal("pixels", description.Metadata["mnist_layout"]);
        Assert.Equal((784, 1), (description.Shape.Steps, description.Shape.Inputs));

        var eval = CliFiles.Run(TestCells.All, "eval", "--model", model, "--data", Mnist, "--json");
        Assert.Equal(ExitCodes.Success, eval.ExitCode);
        string accuracy = train.Out.Split('\n').First(l => l.Contains("\"summary\"")).Split("\"test_accuracy\":")[1].Split(',')[0];
        Assert.Contains($"\"test_accuracy\":{accuracy},", eval.Out);

        var inspect = CliFiles.Run(TestCells.All, "inspect", model);
        Assert.Contains("MNIST layout: pixels (784 steps of 1 pixel)\n", inspect.Out);
        Assert.Contains("\"mnist_layout\":\"pixels\"", CliFiles.Run(TestCells.All, "inspect", model, "--json").Out);

        var resumed = CliFiles.Run(TestCells.All, "train", "--resume", model, "--epochs", "2", "--data", Mnist);
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Contains("test images as 784 steps of 1 pixel", resumed.Error);
        Assert.Equal("pixels", ModelFile.Describe(model, TestCells.All).Metadata["mnist_layout"]);
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("train")]
    public void AnExplicitLayoutOtherThanTheModels_IsRefusedInOneLine(string command)
    {
        string model = Train("pixels", "pixels.safetensors");
        string[] args = command == "eval"
            ? ["eval", "--model", model, "--data", Mnist, "--mnist-layout", "permuted"]
            : ["train", "--resume", model, "--epochs", "2", "--data", Mnist, "--mnist-layout", "permuted"];

        var run = CliFiles.Run(TestCells.All, args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --mnist-layout permuted differs from the model's layout, pixels: a model reads images as it was trained (omit the option)", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void AnExplicitLayoutEqualToTheModels_IsAccepted()
    {
        string model = Train("permuted", "permuted.safetensors");

        var run = CliFiles.Run(TestCells.All, "eval", "--model", model, "--data", Mnist, "--mnist-layout", "permuted");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
    }

    [Fact]
    public void PredictOnAPermutedModel_GivesWhatTheModelGivesThePermutedTestSet()
    {
        // Images whose pixels differ (a bright column over noise), so the pixel order changes the predictions.
        string model = Train("permuted", "permuted.safetensors");
        string varied = CliFiles.EasyMnist(trainCount: 1, testCount: 20);
        string images = Path.Combine(varied, "t10k-images-idx3-ubyte");

        var run = CliFiles.Run(TestCells.All, "predict", "--model", model, images);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using var loaded = ModelFile.Load(model, TestCells.All);
        using var evaluator = new Evaluator(loaded.Network);
        string[] Lines(MnistLayout layout)
        {
            var probabilities = evaluator.Predict(SimdRnn.Data.Mnist.Load(varied, train: false, layout));
            return Enumerable.Range(0, 20).Select(n =>
            {
                var row = probabilities.AsSpan(n * 10, 10);
                int digit = TensorPrimitives.IndexOfMax<float>(row);
                return string.Create(CultureInfo.InvariantCulture, $"{images}[{n}]: {digit} ({row[digit]:F4})");
            }).ToArray();
        }

        Assert.Equal(Lines(MnistLayout.Permuted), run.Out.TrimEnd('\n').Split('\n'));
        Assert.NotEqual(Lines(MnistLayout.Pixels), Lines(MnistLayout.Permuted));
    }

    [Fact]
    public void EvalOfAPixelsModelWithoutItsKey_IsRefusedByShape_NamingTheRowsLayout()
    {
        // A rows model's file says nothing (older files never did) and reads 28 x 28; a pixels model with its key
        // removed would claim rows, and is refused by shape, naming the layout it was checked against.
        string model = Train("pixels", "pixels.safetensors");
        byte[] file = File.ReadAllBytes(model);
        string json = Encoding.UTF8.GetString(file, 8, (int)BitConverter.ToUInt64(file, 0));
        string stripped = json.Replace("\"mnist_layout\":\"pixels\"", "\"mnist_layouT\":\"pixels\"", StringComparison.Ordinal);
        Assert.NotEqual(json, stripped);
        Encoding.UTF8.GetBytes(stripped).CopyTo(file, 8);
        File.WriteAllBytes(model, file);

        var run = CliFiles.Run(TestCells.All, "eval", "--model", model, "--data", Mnist);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal($"simdrnn: {model}: expected a model of 28 steps of 28 inputs and 10 classes (MNIST, rows layout), found 784 steps of 1 inputs and a classify (10 classes) head", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void ModelFile_RoundTripsEachLayout_AndFilesWithoutTheKeyAreRows()
    {
        foreach (var (name, layout) in MnistLayouts.Names)
        {
            string path = PathOf(name + ".safetensors");
            using var network = ModelFiles.Network(TestCells.Rnn, layers: 1, steps: MnistLayouts.Steps(layout), inputs: MnistLayouts.Inputs(layout), classes: 10);
            ModelFile.Save(path, network, new ModelCheckpoint { MnistLayout = layout });

            Assert.Equal(layout, ModelFile.Describe(path, TestCells.All).MnistLayout);
            using var loaded = ModelFile.Load(path, TestCells.All);
            Assert.Equal(layout, loaded.Description.MnistLayout);
        }

        string plain = PathOf("plain.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn))
        {
            ModelFile.Save(plain, network);
        }

        var description = ModelFile.Describe(plain, TestCells.All);
        Assert.False(description.Metadata.ContainsKey(ModelFile.Keys.MnistLayout));
        Assert.Equal(MnistLayout.Rows, description.MnistLayout);
    }

    [Fact]
    public void ModelFile_RefusesALayoutThatDisagreesWithTheShape()
    {
        using var network = ModelFiles.Network(TestCells.Rnn, layers: 1, steps: 28, inputs: 28, classes: 10);

        var error = Assert.Throws<ArgumentException>(() => ModelFile.Save(PathOf("m.safetensors"), network, new ModelCheckpoint { MnistLayout = MnistLayout.Pixels }));

        Assert.StartsWith("expected the pixels layout's 784 steps of 1 input and 10 classes, found 28 steps of 28 inputs", error.Message);
    }

    [Fact]
    public void ModelFile_RefusesALayoutNameItDoesNotKnow()
    {
        string path = PathOf("m.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn, layers: 1, steps: 784, inputs: 1, classes: 10))
        {
            ModelFile.Save(path, network, new ModelCheckpoint { MnistLayout = MnistLayout.Pixels });
        }

        byte[] file = File.ReadAllBytes(path);
        string json = Encoding.UTF8.GetString(file, 8, (int)BitConverter.ToUInt64(file, 0));
        Encoding.UTF8.GetBytes(json.Replace("\"pixels\"", "\"pixelz\"", StringComparison.Ordinal)).CopyTo(file, 8);
        File.WriteAllBytes(path, file);

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Describe(path, TestCells.All));

        Assert.Equal($"{path}: metadata 'mnist_layout': expected one of rows, pixels, permuted, found 'pixelz'", error.Message);
    }
}
