using SimdRnn.Cells;
using SimdRnn.Export;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.Inference;
using Xunit;
using static SimdRnn.Tests.Export.OnnxRuntimeChecks;

namespace SimdRnn.Tests.Export;

/// <summary><c>simdrnn export</c>: a saved model file to an ONNX file ONNX Runtime runs, and one line for bad input.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("gru", false)]
    [InlineData("indrnn", true)]
    public void Export_WritesAModelOnnxRuntimeRuns(string cell, bool streaming)
    {
        var (path, shape, parameters) = SaveModel(cell);
        string onnx = Path.Combine(_dir.Path, "model.onnx");
        string[] args = streaming ? ["export", "--model", path, "--onnx", onnx, "--streaming"] : ["export", "--model", path, "--onnx", onnx];
        var run = CliHarness.Run(CellCatalog.BuiltIn, args);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"Exported {cell}, hidden 5, layers 2, epoch 0 to {onnx}: ONNX opset {OnnxExporter.DefaultOpset}", run.Error);
        Assert.Equal([Path.GetFileName(path), "model.onnx"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());
        using var session = Session(File.ReadAllBytes(onnx));
        using var model = new InferenceModel(shape, parameters);
        using var reference = model.CreateSession();
        var expected = new float[shape.Outputs];
        var sequence = Models.Sequences(shape, 1, seed: 5);
        if (streaming)
        {
            reference.Step(sequence.AsSpan(0, shape.Inputs), expected);
            var feeds = new List<(string, float[], int[])> { (OnnxExporter.InputName, sequence[..shape.Inputs], [1, shape.Inputs]) };
            for (int layer = 0; layer < shape.Layers; layer++)
            {
                feeds.AddRange(OnnxExporter.CarriedNames(shape.Cell.Info).Select(name => (OnnxExporter.StateInputName(layer, name), new float[shape.Hidden], new[] { 1, shape.Hidden })));
            }

            AssertClose(expected, Run(session, [.. feeds])[OnnxExporter.ProbabilitiesName], 1e-5, cell);
        }
        else
        {
            reference.Predict(sequence, 1, expected);
            AssertClose(expected, Probabilities(session, sequence, 1, shape.Steps, shape.Inputs), 1e-5, cell);
        }
    }

    [Theory]
    [InlineData("lstm", false)]
    [InlineData("mgu", false)]
    [InlineData("gru", true)]
    [InlineData("indrnn", true)]
    public void Lengths_AddsSequenceLens_AndGivesPredictWithLengths(string cell, bool bidirectional)
    {
        var (path, shape, parameters) = SaveModel(cell, bidirectional);
        string onnx = Path.Combine(_dir.Path, "model.onnx");
        var run = CliHarness.Run(CellCatalog.BuiltIn, "export", "--model", path, "--onnx", onnx, "--lengths");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("sequence model with sequence_lens", run.Error);
        using var session = Session(File.ReadAllBytes(onnx));
        using var model = new InferenceModel(shape, parameters);
        using var reference = model.CreateSession(2);
        int[] lengths = [2, 4];
        var sequences = Models.Sequences(shape, 2, seed: 6);
        var expected = new float[2 * shape.OutputsPerSequence];
        reference.Predict(sequences, 2, lengths, expected);
        AssertClose(expected, RunWithLengths(session, sequences, lengths, shape.Steps, shape.Inputs)[OnnxExporter.ProbabilitiesName], 1e-5, cell);
    }

    [Fact]
    public void MissingModel_IsOneLineAndExitOne()
    {
        string missing = Path.Combine(_dir.Path, "missing.safetensors");
        var run = CliHarness.Run(CellCatalog.BuiltIn, "export", "--model", missing, "--onnx", Path.Combine(_dir.Path, "out.onnx"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal([$"simdrnn: {missing}: no such model file"], run.ErrorLines);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Theory]
    [InlineData("12")]
    [InlineData("23")]
    [InlineData("x")]
    public void UnsupportedOpset_IsOneLineAndExitTwo(string opset)
    {
        var (path, _, _) = SaveModel("lstm");
        var run = CliHarness.Run(CellCatalog.BuiltIn, "export", "--model", path, "--onnx", Path.Combine(_dir.Path, "out.onnx"), "--opset", opset);
        Assert.Equal(2, run.ExitCode);
        string expected = opset == "x" ? "--opset must be an integer, got 'x'" : $"--opset must be an ONNX opset from {OnnxExporter.MinOpset} to {OnnxExporter.MaxOpset}, got '{opset}'";
        Assert.Equal([$"simdrnn: {expected}"], run.ErrorLines);
    }

    [Fact]
    public void UnwritableOutPath_IsOneLineAndExitOne_AndLeavesNothing()
    {
        var (path, _, _) = SaveModel("lstm");
        string outPath = Path.Combine(_dir.Path, "no-such-directory", "out.onnx");
        var run = CliHarness.Run(CellCatalog.BuiltIn, "export", "--model", path, "--onnx", outPath);
        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.StartsWith($"simdrnn: cannot write {outPath}: ", run.ErrorLines[0]);
        Assert.Single(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void OutPathIsADirectory_IsOneLineAndExitOne()
    {
        var (path, _, _) = SaveModel("lstm");
        var run = CliHarness.Run(CellCatalog.BuiltIn, "export", "--model", path, "--onnx", _dir.Path);
        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.StartsWith($"simdrnn: cannot write {_dir.Path}: ", run.ErrorLines[0]);
    }

    [Theory]
    [InlineData("--model")]
    [InlineData("--onnx")]
    public void MissingOption_IsOneLineAndExitTwo(string option)
    {
        string[] args = option == "--model" ? ["export", "--onnx", "out.onnx"] : ["export", "--model", "in.safetensors"];
        var run = CliHarness.Run(CellCatalog.BuiltIn, args);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"simdrnn: {option} FILE is required; run 'simdrnn export --help' for usage"], run.ErrorLines);
    }

    [Fact]
    public void BidirectionalStreaming_IsOneLineAndExitOne_AndWritesNothing()
    {
        var (path, _, _) = SaveModel("lstm", bidirectional: true);
        string onnx = Path.Combine(_dir.Path, "out.onnx");
        var run = CliHarness.Run(CellCatalog.BuiltIn, "export", "--model", path, "--onnx", onnx, "--streaming");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal([$"simdrnn: {path}: a bidirectional model has no streaming (one-step) export: its reverse direction reads each sequence from its end; export the sequence model"], run.ErrorLines);
        Assert.False(File.Exists(onnx));
    }

    private (string Path, NetworkShape Shape, float[] Parameters) SaveModel(string cell, bool bidirectional = false)
    {
        var shape = Models.Shape(cell, steps: 4, inputs: 3, hidden: 5, layers: 2, classes: 3, bidirectional);
        using var network = Models.Network(shape, seed: 11);
        string path = Path.Combine(_dir.Path, $"{cell}.safetensors");
        ModelFile.Save(path, network);
        return (path, shape, network.Parameters.ToArray());
    }
}
