using SimdRnn.Cells;
using SimdRnn.Export;
using SimdRnn.Inference;
using SimdRnn.Model;
using SimdRnn.Tests.Inference;
using Xunit;
using static SimdRnn.Tests.Export.OnnxRuntimeChecks;

namespace SimdRnn.Tests.Export;

/// <summary>Exported models, run in ONNX Runtime, give SimdRnn's probabilities: every built-in cell and user cells, one and two layers.</summary>
public sealed class OnnxExportTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, int> CellsAndLayers()
    {
        var data = new TheoryData<string, int>();
        foreach (var cell in Cells())
        {
            data.Add(cell.Info.Name, 1);
            data.Add(cell.Info.Name, 2);
        }

        return data;
    }

    [Fact]
    public void EveryBuiltInCell_IsExported() =>
        Assert.Equal(CellCatalog.BuiltIn.Count + 2, CellsAndLayers().Count / 2);

    [Theory]
    [MemberData(nameof(CellsAndLayers))]
    public void SequenceModel_GivesSimdRnnsProbabilities(string cell, int layers)
    {
        var shape = new NetworkShape(Cell(cell), steps: 6, inputs: 5, hidden: 7, layers: layers, classes: 4);
        using var network = Models.Network(shape, seed: 3 + layers);
        using var model = InferenceModel.FromNetwork(network);
        const int count = 3;
        var sequences = Models.Sequences(shape, count, seed: 4);
        var expected = new float[count * shape.OutputsPerSequence];
        using (var session = model.CreateSession(count))
        {
            session.Predict(sequences, count, expected);
        }

        using var onnx = Session(OnnxExporter.Export(shape, model.Parameters));
        AssertClose(expected, Probabilities(onnx, sequences, count, shape.Steps, shape.Inputs), Tolerance, $"{cell}, {layers} layer(s)");
    }

    [Theory]
    [MemberData(nameof(CellsAndLayers))]
    public void SequenceModel_WithLengths_GivesPredictWithLengths(string cell, int layers) =>
        AssertLengths(cell, layers, new Head(HeadKind.Classify, 4), bidirectional: false, withLengths: true);

    [Theory]
    [MemberData(nameof(CellsAndLayers))]
    public void Bidirectional_GivesPredict(string cell, int layers) =>
        AssertLengths(cell, layers, new Head(HeadKind.Classify, 4), bidirectional: true, withLengths: false);

    [Theory]
    [MemberData(nameof(CellsAndLayers))]
    public void Bidirectional_WithLengths_GivesPredictWithLengths(string cell, int layers) =>
        AssertLengths(cell, layers, new Head(HeadKind.Classify, 4), bidirectional: true, withLengths: true);

    public static TheoryData<string, HeadKind> CellsAndPerStepHeads()
    {
        var data = new TheoryData<string, HeadKind>();
        foreach (var cell in new[] { "rnn", "lstm", "gru", "mgu", "janet" })
        {
            foreach (var (_, kind) in Head.Kinds) data.Add(cell, kind);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CellsAndPerStepHeads))]
    public void EveryHead_WithLengths_GivesPredictWithLengths(string cell, HeadKind kind)
    {
        var head = new Head(kind, kind is HeadKind.Classify or HeadKind.Tag ? 4 : 2);
        AssertLengths(cell, 2, head, bidirectional: false, withLengths: true);
        AssertLengths(cell, 2, head, bidirectional: true, withLengths: false);
        AssertLengths(cell, 2, head, bidirectional: true, withLengths: true);
    }

    // Lengths 1..T in no order, the full length included; the padding past each length holds values, not zeros.
    // Without lengths, the model has no sequence_lens input and every sequence is T long.
    private static void AssertLengths(string cell, int layers, Head head, bool bidirectional, bool withLengths)
    {
        var shape = new NetworkShape(Cell(cell), steps: 6, inputs: 5, hidden: 7, layers: layers, head, bidirectional);
        using var network = Models.Network(shape, seed: 13 + layers);
        using var model = InferenceModel.FromNetwork(network);
        int[] lengths = withLengths ? [6, 1, 3, 5] : [6, 6, 6, 6];
        var sequences = Models.Sequences(shape, lengths.Length, seed: 14);
        var expected = new float[lengths.Length * shape.OutputsPerSequence];
        using (var session = model.CreateSession(lengths.Length))
        {
            session.Predict(sequences, lengths.Length, lengths, expected);
        }

        using var onnx = Session(OnnxExporter.Export(shape, model.Parameters, new OnnxExportOptions { SequenceLengths = withLengths }));
        string[] inputs = withLengths ? [OnnxExporter.InputName, OnnxExporter.SequenceLengthsName] : [OnnxExporter.InputName];
        Assert.Equal(inputs, onnx.InputNames);
        var actual = withLengths
            ? RunWithLengths(onnx, sequences, lengths, shape.Steps, shape.Inputs)[OnnxExporter.OutputName(head)]
            : Run(onnx, (OnnxExporter.InputName, sequences, [lengths.Length, shape.Steps, shape.Inputs]))[OnnxExporter.OutputName(head)];
        AssertClose(expected, actual, Tolerance, $"{cell}, {layers} layer(s), {head}{(bidirectional ? ", bidirectional" : "")}, lengths {string.Join(' ', lengths)}");
    }

    [Fact]
    public void StreamingWithLengths_Throws()
    {
        var shape = new NetworkShape(Cell("lstm"), steps: 2, inputs: 2, hidden: 3, layers: 1, classes: 2);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(shape, new float[shape.ParameterCount], new OnnxExportOptions { Streaming = true, SequenceLengths = true }));
        Assert.Equal("the streaming (one-step) model takes no sequence lengths: stop stepping a stream at its end", error.Message);
    }

    [Theory]
    [MemberData(nameof(CellsAndLayers))]
    public void StreamingModel_StepByStep_GivesInferenceSessionStep(string cell, int layers)
    {
        var shape = new NetworkShape(Cell(cell), steps: 5, inputs: 3, hidden: 6, layers: layers, classes: 3);
        using var network = Models.Network(shape, seed: 7);
        using var model = InferenceModel.FromNetwork(network);
        const int count = 2;
        using var session = model.CreateSession(count);
        using var onnx = Session(OnnxExporter.Export(shape, model.Parameters, new OnnxExportOptions { Streaming = true }));
        var sequences = Models.Sequences(shape, count, seed: 8);
        var carried = OnnxExporter.CarriedNames(shape.Cell.Info);
        var states = new Dictionary<string, float[]>();
        for (int layer = 0; layer < layers; layer++)
        {
            foreach (var name in carried) states[OnnxExporter.StateInputName(layer, name)] = new float[count * shape.Hidden];
        }

        var expected = new float[count * shape.OutputsPerSequence];
        for (int t = 0; t < shape.Steps; t++)
        {
            var input = new float[count * shape.Inputs];
            for (int r = 0; r < count; r++)
            {
                sequences.AsSpan((r * shape.Steps + t) * shape.Inputs, shape.Inputs).CopyTo(input.AsSpan(r * shape.Inputs));
            }

            session.Step(input, expected);
            var feeds = states.Select(s => (s.Key, s.Value, new[] { count, shape.Hidden })).Prepend((OnnxExporter.InputName, input, [count, shape.Inputs])).ToArray();
            var outputs = Run(onnx, feeds);
            AssertClose(expected, outputs[OnnxExporter.ProbabilitiesName], Tolerance, $"{cell}, {layers} layer(s), step {t}");
            AssertClose(session.Output.ToArray(), outputs[OnnxExporter.StateOutputName(layers - 1, shape.Cell.Info.OutputName)], Tolerance, $"{cell}: top output, step {t}");
            for (int layer = 0; layer < layers; layer++)
            {
                foreach (var name in carried) states[OnnxExporter.StateInputName(layer, name)] = outputs[OnnxExporter.StateOutputName(layer, name)];
            }
        }
    }

    public static TheoryData<string, HeadKind, bool> CellsHeadsAndModels()
    {
        var data = new TheoryData<string, HeadKind, bool>();
        foreach (var cell in new[] { "lstm", "gru", "mgu", "janet" })
        {
            foreach (var (_, kind) in Head.Kinds)
            {
                data.Add(cell, kind, false);
                data.Add(cell, kind, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CellsHeadsAndModels))]
    public void EveryHead_GivesInferenceSessionsOutputs(string cell, HeadKind kind, bool streaming)
    {
        var head = new Head(kind, kind is HeadKind.Classify or HeadKind.Tag ? 4 : 2);
        var shape = new NetworkShape(Cell(cell), steps: 4, inputs: 3, hidden: 5, layers: 2, head);
        using var network = Models.Network(shape, seed: 21);
        using var model = InferenceModel.FromNetwork(network);
        const int count = 3;
        var sequences = Models.Sequences(shape, count, seed: 22);
        using var session = model.CreateSession(count);
        using var onnx = Session(OnnxExporter.Export(shape, model.Parameters, new OnnxExportOptions { Streaming = streaming }));
        string output = OnnxExporter.OutputName(head);
        if (streaming) Assert.Contains(output, onnx.OutputNames);
        else Assert.Equal([output], onnx.OutputNames);
        if (!streaming)
        {
            var expected = new float[count * shape.OutputsPerSequence];
            session.Predict(sequences, count, expected);
            var actual = Run(onnx, (OnnxExporter.InputName, sequences, [count, shape.Steps, shape.Inputs]))[output];
            AssertClose(expected, actual, Tolerance, $"{cell}, {head}");
            return;
        }

        var carried = OnnxExporter.CarriedNames(shape.Cell.Info);
        var states = Enumerable.Range(0, shape.Layers).SelectMany(l => carried.Select(n => OnnxExporter.StateInputName(l, n))).ToDictionary(n => n, _ => new float[count * shape.Hidden]);
        var stepOutputs = new float[count * shape.Outputs];
        for (int t = 0; t < shape.Steps; t++)
        {
            var input = new float[count * shape.Inputs];
            for (int r = 0; r < count; r++) sequences.AsSpan((r * shape.Steps + t) * shape.Inputs, shape.Inputs).CopyTo(input.AsSpan(r * shape.Inputs));
            session.Step(input, stepOutputs);
            var outputs = Run(onnx, [(OnnxExporter.InputName, input, [count, shape.Inputs]), .. states.Select(s => (s.Key, s.Value, new[] { count, shape.Hidden }))]);
            AssertClose(stepOutputs, outputs[output], Tolerance, $"{cell}, {head}, streaming step {t}");
            foreach (var name in states.Keys.ToList()) states[name] = outputs[name + "_next"];
        }
    }

    [Theory]
    [InlineData("lstm", OnnxExporter.MinOpset)]
    [InlineData("lstm", OnnxExporter.MaxOpset)]
    [InlineData("mgu", OnnxExporter.MinOpset)]
    [InlineData("mgu", OnnxExporter.MaxOpset)]
    public void EveryOpset_LoadsInOnnxRuntime(string cell, int opset)
    {
        var shape = new NetworkShape(Cell(cell), steps: 3, inputs: 2, hidden: 4, layers: 2, classes: 2);
        using var network = Models.Network(shape, seed: 1);
        using var model = InferenceModel.FromNetwork(network);
        var sequences = Models.Sequences(shape, 1, seed: 2);
        var expected = new float[shape.OutputsPerSequence];
        using (var session = model.CreateSession()) session.Predict(sequences, 1, expected);
        using var onnx = Session(OnnxExporter.Export(shape, model.Parameters, new OnnxExportOptions { Opset = opset }));
        AssertClose(expected, Probabilities(onnx, sequences, 1, shape.Steps, shape.Inputs), Tolerance, $"{cell}, opset {opset}");
    }

    [Theory]
    [InlineData("rnn", "RNN")]
    [InlineData("rnn-relu", "RNN")]
    [InlineData("lstm", "LSTM")]
    [InlineData("gru", "GRU")]
    [InlineData("gru-tf", "Scan")]
    [InlineData("janet", "Scan")]
    public void Layers_UseOnnxsRecurrentOperators_WhereTheCellIsOne(string cell, string op)
    {
        var shape = new NetworkShape(Cell(cell), steps: 2, inputs: 2, hidden: 3, layers: 1, classes: 2);
        using var network = Models.Network(shape, seed: 1);
        using var onnx = Session(OnnxExporter.Export(shape, network.Parameters));
        var bytes = OnnxExporter.Export(shape, network.Parameters);
        Assert.True(Contains(bytes, System.Text.Encoding.UTF8.GetBytes(op)), $"{cell}: no {op} node");
        Assert.Equal(["input"], onnx.InputNames);
        Assert.Equal(["probabilities"], onnx.OutputNames);
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void BidirectionalLayers_AreOneBidirectionalOperator(string cell)
    {
        var shape = new NetworkShape(Cell(cell), steps: 2, inputs: 2, hidden: 3, layers: 1, classes: 2, bidirectional: true);
        var bytes = OnnxExporter.Export(shape, new float[shape.ParameterCount]);
        Assert.True(Contains(bytes, System.Text.Encoding.UTF8.GetBytes("bidirectional")), $"{cell}: no direction = bidirectional");
        Assert.False(Contains(bytes, System.Text.Encoding.UTF8.GetBytes("Scan")), $"{cell}: a Scan node");
    }

    [Fact]
    public void OpsetOutOfRange_Throws()
    {
        var shape = new NetworkShape(Cell("rnn"), steps: 2, inputs: 2, hidden: 3, layers: 1, classes: 2);
        var parameters = new float[shape.ParameterCount];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(shape, parameters, new OnnxExportOptions { Opset = 9 }));
        Assert.Contains($"expected an ONNX opset from {OnnxExporter.MinOpset} to {OnnxExporter.MaxOpset}, found 9", error.Message);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(shape, parameters.AsSpan(1)));
    }

    [Fact]
    public void Save_WritesTheExportedBytes_AndNothingElse()
    {
        var shape = new NetworkShape(Cell("cifg-lstm"), steps: 2, inputs: 2, hidden: 3, layers: 1, classes: 2);
        using var network = Models.Network(shape, seed: 1);
        using var model = InferenceModel.FromNetwork(network);
        using var dir = new SimdRnn.Tests.Data.TempDirectory();
        string path = Path.Combine(dir.Path, "model.onnx");
        File.WriteAllText(path, "an older file");
        OnnxExporter.Save(path, model, new OnnxExportOptions { Streaming = true });
        Assert.Equal(OnnxExporter.Export(shape, model.Parameters, new OnnxExportOptions { Streaming = true }), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("mgu")]
    public void BidirectionalStreaming_Throws(string cell)
    {
        var shape = new NetworkShape(Cell(cell), steps: 2, inputs: 2, hidden: 3, layers: 1, classes: 2, bidirectional: true);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(shape, new float[shape.ParameterCount], new OnnxExportOptions { Streaming = true }));
        Assert.Equal("a bidirectional model has no streaming (one-step) export: its reverse direction reads each sequence from its end; export the sequence model", error.Message);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static IEnumerable<CellEntry> Cells() => [.. CellCatalog.BuiltIn, CellEntry.For<JanetCell>(), CellEntry.For<EveryOpCell>()];

    private static CellEntry Cell(string name) => CellCatalog.Find(Cells(), name)!;
}
