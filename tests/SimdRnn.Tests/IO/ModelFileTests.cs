using SimdRnn.Cells;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.IO;

public sealed class ModelFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string PathOf(string name) => Path.Combine(_dir.Path, name);

    [Fact]
    public void SaveThenLoad_GivesIdenticalParametersAndPredictions()
    {
        string path = PathOf("m.safetensors");
        var data = ModelFiles.Data(9);
        using var network = ModelFiles.Network(TestCells.Lstm);
        var options = new TrainOptions { Cell = "lstm", Hidden = 5, Layers = 2, LearningRate = 0.0123f, Limit = 9, Schedule = LearningRateSchedule.Constant };
        ModelFile.Save(path, network, new ModelCheckpoint { Epoch = 3, Options = options, Metadata = new Dictionary<string, string> { ["test_accuracy"] = "0.5" } });

        using var loaded = ModelFile.Load(path, TestCells.All);

        Assert.True(loaded.IsSimdRnnFile);
        Assert.Same(TestCells.Lstm, loaded.Shape.Cell);
        Assert.Equal((4, 3, 5, 2, 4), (loaded.Shape.Steps, loaded.Shape.Inputs, loaded.Shape.Hidden, loaded.Shape.Layers, loaded.Shape.Outputs));
        Assert.Equal(network.Parameters, loaded.Network.Parameters);
        Assert.Equal(ModelFiles.Logits(network, data, 9), ModelFiles.Logits(loaded.Network, data, 9));
        Assert.Equal(3, loaded.Epoch);
        Assert.Equal(options, loaded.Options);
        Assert.Null(loaded.Optimizer);
        Assert.Equal("0.5", loaded.Metadata["test_accuracy"]);
    }

    [Fact]
    public void Describe_ReportsWhatLoadWouldWithoutTheWeights()
    {
        string path = PathOf("m.safetensors");
        using (var network = ModelFiles.Network(TestCells.Lstm))
        {
            var state = OptimizerState.Capture(new Adam(network.Shape.ParameterCount) { Steps = 17 });
            ModelFile.Save(path, network, new ModelCheckpoint { Epoch = 2, Options = new TrainOptions { Seed = 9 }, Optimizer = state });
        }

        var description = ModelFile.Describe(path, TestCells.All);

        Assert.Same(TestCells.Lstm, description.Shape.Cell);
        Assert.Equal((5, 2), (description.Shape.Hidden, description.Shape.Layers));
        Assert.Equal((2, 9, OptimizerKind.Adam, 17L), (description.Epoch!.Value, description.Options!.Seed, description.Optimizer!.Value, description.OptimizerSteps!.Value));
        Assert.True(description.IsSimdRnnFile);
        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Describe(path, [TestCells.Rnn]));
        Assert.Equal($"{path}: cell 'lstm' is not available: expected one of rnn", e.Message);
    }

    [Fact]
    public void Save_WritesPyTorchNamesShapesAndMetadata()
    {
        string path = PathOf("m.safetensors");
        using var network = ModelFiles.Network(TestCells.Lstm, hidden: 5, layers: 2);
        ModelFile.Save(path, network, new ModelCheckpoint { Epoch = 1 });

        var header = SafetensorsFile.ReadHeader(path);

        Assert.Equal(
        [
            "rnn.weight_ih_l0 [20, 3]", "rnn.weight_hh_l0 [20, 5]", "rnn.bias_ih_l0 [20]", "rnn.bias_hh_l0 [20]", "rnn.scale_l0 [5]",
            "rnn.weight_ih_l1 [20, 5]", "rnn.weight_hh_l1 [20, 5]", "rnn.bias_ih_l1 [20]", "rnn.bias_hh_l1 [20]", "rnn.scale_l1 [5]",
            "fc.weight [4, 5]", "fc.bias [4]",
        ], header.Tensors.Select(t => $"{t.Name} {t.ShapeText}"));
        Assert.All(header.Tensors, t => Assert.Equal(TensorDType.F32, t.DType));
        var m = header.Metadata;
        Assert.Equal(("simdrnn", "lstm", "5", "2", "3", "4", "4"), (m["format"], m["cell"], m["hidden"], m["layers"], m["input"], m["steps"], m["classes"]));
        Assert.Equal("test-lstm-1", m["spec_hash"]);
        Assert.Equal("1", m["epoch"]);
        Assert.Equal(ModelFile.EngineVersion, m["engine_version"]);
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Sgd)]
    public void OptimizerState_RoundTrips(OptimizerKind kind)
    {
        string path = PathOf("m.safetensors");
        using var network = ModelFiles.Network(TestCells.Rnn);
        int n = network.Shape.ParameterCount;
        var buffers = OptimizerState.BufferNames(kind).Select((_, b) => Enumerable.Range(0, n).Select(i => i * 0.5f + b).ToArray()).ToArray();
        ModelFile.Save(path, network, new ModelCheckpoint { Optimizer = new OptimizerState(kind, 1234, buffers) });

        using var loaded = ModelFile.Load(path, TestCells.All);

        Assert.NotNull(loaded.Optimizer);
        Assert.Equal(kind, loaded.Optimizer.Kind);
        Assert.Equal(1234, loaded.Optimizer.Steps);
        Assert.Equal(buffers, loaded.Optimizer.Buffers);
        var header = SafetensorsFile.ReadHeader(path);
        string first = kind == OptimizerKind.Adam ? "optimizer.adam.m.rnn.weight_ih_l0" : "optimizer.sgd.velocity.rnn.weight_ih_l0";
        Assert.NotNull(header.Find(first));
        Assert.Equal(kind == OptimizerKind.Adam ? "adam" : "sgd", header.Metadata["optimizer"]);
    }

    [Fact]
    public void PyTorchStateDictWithoutMetadata_LoadsWithInferredShape()
    {
        string path = PathOf("torch.safetensors");
        ModelFiles.WriteTensors(path, ModelFiles.PyTorchTensors(gates: 1, inputs: 28, hidden: 6, layers: 2, classes: 10), new Dictionary<string, string> { ["format"] = "pt" });

        using var loaded = ModelFile.Load(path, TestCells.All);

        Assert.False(loaded.IsSimdRnnFile);
        Assert.Same(TestCells.Rnn, loaded.Shape.Cell);
        Assert.Equal((ModelFile.DefaultSteps, 28, 6, 2, 10), (loaded.Shape.Steps, loaded.Shape.Inputs, loaded.Shape.Hidden, loaded.Shape.Layers, loaded.Shape.Outputs));
        Assert.Null(loaded.Epoch);
        Assert.Null(loaded.Options);
        var weightHh1 = loaded.Shape.LayerParameters[1].WeightHh;
        Assert.Equal(0.01f * 35, weightHh1.Of(loaded.Network.Parameters)[35], 5);
    }

    [Fact]
    public void PyTorchStateDict_FourGatesIsLstm()
    {
        string path = PathOf("torch.safetensors");
        // The test "lstm" has a scale parameter that PyTorch's LSTM lacks, so the file needs it as well.
        ModelFiles.WriteTensors(path, [.. ModelFiles.PyTorchTensors(gates: 4, inputs: 3, hidden: 2, layers: 1, classes: 3), ("rnn.scale_l0", [2])]);

        using var loaded = ModelFile.Load(path, TestCells.All);

        Assert.Same(TestCells.Lstm, loaded.Shape.Cell);
        Assert.Equal((3, 2, 1, 3), (loaded.Shape.Inputs, loaded.Shape.Hidden, loaded.Shape.Layers, loaded.Shape.Outputs));
    }

    [Fact]
    public void PyTorchStateDict_AmbiguousGateCountNeedsCell()
    {
        string path = PathOf("torch.safetensors");
        ModelFiles.WriteTensors(path, ModelFiles.PyTorchTensors(gates: 2, inputs: 3, hidden: 2, layers: 1, classes: 3));

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.Equal($"{path}: cannot tell the cell from 2 gates (1: rnn, 3: gru, 4: lstm) in a file without SimdRnn metadata: name it with --cell (rnn, lstm)", e.Message);
    }

    [Fact]
    public void PyTorchStateDict_CellOverrideIsChecked()
    {
        string path = PathOf("torch.safetensors");
        ModelFiles.WriteTensors(path, ModelFiles.PyTorchTensors(gates: 1, inputs: 3, hidden: 2, layers: 1, classes: 3));

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All, cellOverride: "lstm"));

        Assert.Equal($"{path}: tensor 'rnn.weight_ih_l0': expected shape [8, 3], found [2, 3]", e.Message);
    }

    [Fact]
    public void FileWithoutRecurrentTensors_SaysWhatWasExpected()
    {
        string path = PathOf("other.safetensors");
        ModelFiles.WriteTensors(path, [("encoder.weight", [2, 2])]);

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.Equal($"{path}: expected tensor 'rnn.weight_ih_l0' (a PyTorch state_dict with modules 'rnn' and 'fc', or a SimdRnn file), found tensors 'encoder.weight'", e.Message);
    }

    [Fact]
    public void MissingTensor_IsNamed()
    {
        string path = PathOf("torch.safetensors");
        ModelFiles.WriteTensors(path, ModelFiles.PyTorchTensors(1, 3, 2, 1, 3).Where(t => t.Name != "rnn.bias_hh_l0"));

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.Equal($"{path}: tensor 'rnn.bias_hh_l0': expected shape [2], found no such tensor", e.Message);
    }

    [Fact]
    public void ExtraTensor_IsNamed()
    {
        string path = PathOf("torch.safetensors");
        ModelFiles.WriteTensors(path, [.. ModelFiles.PyTorchTensors(1, 3, 2, 1, 3), ("rnn.weight_ih_l0_extra", [2, 3])]);

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.Equal($"{path}: tensor 'rnn.weight_ih_l0_extra': expected no such tensor in a rnn network of 1 layer, hidden 2, found [2, 3]", e.Message);
    }

    [Fact]
    public void WrongShape_NamesExpectedAndFound()
    {
        string path = PathOf("torch.safetensors");
        ModelFiles.WriteTensors(path, ModelFiles.PyTorchTensors(1, 3, 2, 1, 3).Select(t => t.Name == "fc.bias" ? (t.Name, new[] { 4 }) : t));

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.Equal($"{path}: tensor 'fc.bias': expected shape [3], found [4]", e.Message);
    }

    [Fact]
    public void WrongDType_IsNamed()
    {
        string path = PathOf("m.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn, hidden: 2, layers: 1)) ModelFile.Save(path, network);
        var (json, data) = ModelFiles.Split(File.ReadAllBytes(path));
        int at = json.IndexOf("\"fc.bias\"", StringComparison.Ordinal);
        json = json[..at] + json[at..].Replace("\"F32\"", "\"I32\"", StringComparison.Ordinal);
        File.WriteAllBytes(path, ModelFiles.Join(json, data));

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.Equal($"{path}: tensor 'fc.bias': expected dtype F32 (or F64, F16, BF16), found I32", e.Message);
    }

    [Fact]
    public void UnknownCell_ListsTheAvailableCells()
    {
        string path = PathOf("m.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn)) ModelFile.Save(path, network);

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, [TestCells.Lstm]));

        Assert.Equal($"{path}: cell 'rnn' is not available: expected one of lstm", e.Message);
    }

    [Fact]
    public void SpecHashMismatch_SaysTheCellChanged()
    {
        string path = PathOf("m.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn)) ModelFile.Save(path, network);
        Rewrite(path, metadata => metadata["spec_hash"] = "old-hash");

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.StartsWith($"{path}: cell 'rnn' has changed since this file was saved: expected spec hash 'old-hash', found test-rnn-1 in this build", e.Message);
    }

    [Theory]
    [InlineData("hidden", "1000000000", "expected at most 2147483591 parameters, found at least 4000000004 in a rnn network (hidden 1000000000, layers 2, input 3, classes 4)")]
    [InlineData("layers", "2147483647", "expected at least 8589934588 tensors for a rnn network (hidden 5, layers 2147483647, input 3, classes 4), found 10")]
    [InlineData("hidden", "6", "tensor 'rnn.weight_ih_l0': expected shape [6, 3], found [5, 3]")]
    [InlineData("hidden", "-5", "metadata 'hidden': expected an integer of at least 1, found '-5'")]
    [InlineData("classes", "1", "metadata 'classes': expected an integer of at least 2, found '1'")]
    [InlineData("steps", "x", "metadata 'steps': expected an integer of at least 1, found 'x'")]
    [InlineData("train_options", "{\"hidden\":\"big\"}", "metadata 'train_options': expected an integer for 'hidden'")]
    [InlineData("optimizer", "rmsprop", "metadata 'optimizer': expected adam or sgd, found 'rmsprop'")]
    public void BadMetadata_IsNamedAndNothingHugeIsAllocated(string key, string value, string expected)
    {
        string path = PathOf("m.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn)) ModelFile.Save(path, network, new ModelCheckpoint { Options = new TrainOptions() });
        Rewrite(path, metadata => metadata[key] = value);

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.StartsWith($"{path}: {expected}", e.Message);
    }

    [Fact]
    public void OptimizerTensorsWithoutMetadata_AreRejected()
    {
        string path = PathOf("m.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn, hidden: 2, layers: 1))
        {
            var state = OptimizerState.Capture(new Sgd(network.Shape.ParameterCount));
            ModelFile.Save(path, network, new ModelCheckpoint { Optimizer = state });
        }

        Rewrite(path, metadata => metadata.Remove("optimizer"));

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));

        Assert.Equal($"{path}: tensor 'optimizer.sgd.velocity.rnn.weight_ih_l0': expected no such tensor in a file without 'optimizer' metadata, found [2, 3]", e.Message);
    }

    [Fact]
    public void MissingFile_IsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(PathOf("absent.safetensors"), TestCells.All));
    }

    [Fact]
    public void FailedSave_LeavesThePreviousFileIntactAndNoTemporaryFile()
    {
        string path = PathOf("m.safetensors");
        using var first = ModelFiles.Network(TestCells.Rnn, seed: 1);
        using var second = ModelFiles.Network(TestCells.Rnn, seed: 2);
        ModelFile.Save(path, first);
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<IOException>(() => ModelFile.Save(path, second, null, stream => new FailingStream(stream, failAfter: 100)));

        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["m.safetensors"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
        using var loaded = ModelFile.Load(path, TestCells.All);
        Assert.Equal(first.Parameters, loaded.Network.Parameters);
    }

    [Fact]
    public void Save_ReplacesAnExistingFile()
    {
        string path = PathOf("m.safetensors");
        using var first = ModelFiles.Network(TestCells.Rnn, seed: 1);
        using var second = ModelFiles.Network(TestCells.Rnn, seed: 2);
        ModelFile.Save(path, first);
        ModelFile.Save(path, second);

        using var loaded = ModelFile.Load(path, TestCells.All);
        Assert.Equal(second.Parameters, loaded.Network.Parameters);
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    private static void Rewrite(string path, Action<Dictionary<string, string>> change)
    {
        using var file = SafetensorsFile.Open(path);
        var metadata = file.Header.Metadata.ToDictionary();
        change(metadata);
        var tensors = file.Header.Tensors.Select(t => new TensorToWrite(t.Name, t.Shape.Select(d => (int)d).ToArray(), file.ReadFloats(t))).ToList();
        file.Dispose();
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>Passes writes through until <c>failAfter</c> bytes, then fails as a full disk would.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (written + buffer.Length > failAfter)
            {
                inner.Write(buffer[..(int)(failAfter - written)]);
                throw new IOException("disk full (simulated)");
            }

            inner.Write(buffer);
            written += buffer.Length;
        }
    }
}
