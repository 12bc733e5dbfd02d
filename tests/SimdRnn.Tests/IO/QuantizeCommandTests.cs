using System.Text.Json;
using SimdRnn.Cli;
using SimdRnn.IO;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary><c>simdrnn quantize</c>, and the int8 file it writes through eval, predict, inspect and train --resume.</summary>
public sealed class QuantizeCommandTests : IClassFixture<QuantizeCommandTests.Models>, IDisposable
{
    private readonly Models _models;
    private readonly TempDirectory _dir = new();

    public QuantizeCommandTests(Models models) => _models = models;

    public void Dispose() => _dir.Dispose();

    /// <summary>A small rnn trained on easy digits, and its int8 copy made by the command.</summary>
    public sealed class Models : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Models()
        {
            Mnist = CliFiles.EasyMnist();
            Float = Path.Combine(_dir.Path, "model.safetensors");
            Int8 = Path.Combine(_dir.Path, "model-int8.safetensors");
            var train = CliFiles.Run(TestCells.All, "train", "--cell", "rnn", "--hidden", "16", "--batch", "30", "--lr", "0.05", "--epochs", "4",
                "--threads", "1", "--data", Mnist, "--save", Float);
            if (train.ExitCode != 0) throw new InvalidOperationException($"training the fixture failed: {train.Error}");
            Quantize = CliFiles.Run(TestCells.All, "quantize", "--model", Float, "--out", Int8);
        }

        public string Mnist { get; }

        public string Float { get; }

        public string Int8 { get; }

        public CliRun Quantize { get; }

        public void Dispose() => _dir.Dispose();
    }

    [Fact]
    public void Quantize_WritesAnInt8File_ItsDataUnderTwoFifthsOfTheFloatParameters()
    {
        var run = _models.Quantize;
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches(@"^Wrote .+model-int8\.safetensors \(rnn, hidden 16, layers 1, epoch 4, int8\): [\d,]+ bytes, \d+\.\d% of the [\d,]+ bytes of its float32 parameters\n$", run.Out);
        // The tensor data: one byte per weight plus the float biases and scales, which weigh much in a model this small
        // (hidden 16); the default MNIST models come to 27% of the float file (docs/embedding.md).
        long parameterBytes = 4L * ModelFile.Describe(_models.Float, TestCells.All).Shape.ParameterCount;
        long dataBytes = SafetensorsFile.ReadHeader(_models.Int8).DataLength;
        Assert.True(dataBytes <= 0.4 * parameterBytes, $"{dataBytes} bytes of tensor data against {parameterBytes} of float parameters");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_models.Int8)!, ".*.tmp"));
    }

    [Fact]
    public void Inspect_ShowsTheI8TensorsAndTheirScales()
    {
        var run = CliFiles.Run(TestCells.All, "inspect", _models.Int8);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches(@"\n  rnn\.weight_ih_l0 +I8 +\[16, 784\]|\n  rnn\.weight_ih_l0 +I8 +\[16, 28\]", run.Out);
        Assert.Matches(@"\n  rnn\.weight_hh_l0_scale +F32 +\[16\]", run.Out);
        Assert.Matches(@"\n  fc\.weight +I8 +\[10, 16\]", run.Out);
        Assert.Contains("\n  quantization = int8\n", run.Out);
        Assert.Contains("\nWeights: int8 with a float scale per output row (simdrnn quantize); inference only\n", run.Out);
    }

    [Fact]
    public void Eval_RunsTheInt8Model_CloseToTheFloatOne()
    {
        double Accuracy(string model)
        {
            var run = CliFiles.Run(TestCells.All, "eval", "--model", model, "--data", _models.Mnist, "--json");
            Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
            using var json = JsonDocument.Parse(run.Out);
            return json.RootElement.GetProperty("test_accuracy").GetDouble();
        }

        double full = Accuracy(_models.Float), int8 = Accuracy(_models.Int8);
        Assert.True(full > 0.5, $"the float model should have learned the easy digits, accuracy {full}");
        Assert.InRange(int8, full - 2 / 60.0, full + 2 / 60.0);

        var text = CliFiles.Run(TestCells.All, "eval", "--model", _models.Int8, "--data", _models.Mnist);
        Assert.StartsWith($"Model: {_models.Int8} (rnn, hidden 16, layers 1, epoch 4, int8)\n", text.Out);
    }

    [Fact]
    public void Predict_ReadsDigitsWithTheInt8Model()
    {
        var random = new Random(3);
        string idx = _dir.Write("digits-idx3-ubyte", CliFiles.IdxImages([CliFiles.EasyImage(3, random), CliFiles.EasyImage(7, random)]));
        var run = CliFiles.Run(TestCells.All, "predict", "--model", _models.Int8, idx);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(2, run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void TrainResume_OfAnInt8Model_IsRefusedInOneLine()
    {
        var run = CliFiles.Run(TestCells.All, "train", "--resume", _models.Int8, "--epochs", "5", "--data", _models.Mnist);
        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal($"simdrnn: {_models.Int8}: expected a float32 model, found an int8 one (made by 'simdrnn quantize'), which is for inference only: train, resume, quantize or export the float model it came from\n", run.Error);
    }

    [Fact]
    public void Quantize_OfAnInt8Model_IsRefused()
    {
        var run = CliFiles.Run(TestCells.All, "quantize", "--model", _models.Int8, "--out", Path.Combine(_dir.Path, "again.safetensors"));
        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("found an int8 one", run.Error);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "again.safetensors")));
    }

    [Fact]
    public void Quantize_BadOptions_AreOneLine()
    {
        var noOut = CliFiles.Run(TestCells.All, "quantize", "--model", _models.Float);
        Assert.Equal(ExitCodes.Usage, noOut.ExitCode);
        Assert.Equal("simdrnn: --out FILE is required; run 'simdrnn quantize --help' for usage\n", noOut.Error);

        var directory = CliFiles.Run(TestCells.All, "quantize", "--model", _models.Float, "--out", _dir.Path);
        Assert.Equal(ExitCodes.Error, directory.ExitCode);
        Assert.StartsWith($"simdrnn: cannot write {_dir.Path}: it is a directory", directory.Error);

        var missing = CliFiles.Run(TestCells.All, "quantize", "--model", Path.Combine(_dir.Path, "none.safetensors"), "--out", Path.Combine(_dir.Path, "x.safetensors"));
        Assert.Equal(ExitCodes.Error, missing.ExitCode);
        Assert.Contains("no such model file", missing.Error);
    }
}
