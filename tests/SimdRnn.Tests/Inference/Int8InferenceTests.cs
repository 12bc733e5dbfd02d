using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Inference;

/// <summary>An int8 model (<see cref="InferenceModel.Quantize"/>) of every cell through the inference API.</summary>
public sealed class Int8InferenceTests
{
    public static TheoryData<string> Cells => [.. CellCatalog.BuiltIn.Select(cell => cell.Info.Name)];

    /// <summary>Every cell, built-in or declared, runs on int8 weights: the generated passes are float whatever the weights.</summary>
    [Theory]
    [MemberData(nameof(Cells))]
    public void Quantized_PredictsCloseToTheFloatModel(string cell)
    {
        var shape = Models.Shape(cell, steps: 6, inputs: 5, hidden: 37, layers: 2, classes: 4);
        using var network = Models.Network(shape, seed: 3);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        Assert.Equal(WeightFormat.Int8, int8.Format);
        Assert.Equal(WeightFormat.Float32, model.Format);
        const int count = 9;
        var sequences = Models.Sequences(shape, count, seed: 4);
        var expected = new float[count * shape.Outputs];
        var actual = new float[count * shape.Outputs];
        using (var session = model.CreateSession(4)) session.Predict(sequences, count, expected);
        using (var session = int8.CreateSession(4)) session.Predict(sequences, count, actual);

        // Probabilities, not bits: int8 weights and activations move them by quantization error only.
        Models.AssertClose(expected, actual, 0.03f);
        Assert.NotEqual(expected, actual);
    }

    /// <summary>Every head and both directions: the head's fc.weight [O, F] and the reverse layers' weights are int8 too.</summary>
    [Theory]
    [InlineData(HeadKind.Classify, false)]
    [InlineData(HeadKind.Classify, true)]
    [InlineData(HeadKind.Tag, true)]
    [InlineData(HeadKind.Regress, false)]
    [InlineData(HeadKind.RegressSteps, true)]
    public void Quantized_EveryHeadAndDirection_PredictsCloseToTheFloatModel(HeadKind kind, bool bidirectional)
    {
        var shape = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "gru")!, steps: 5, inputs: 4, hidden: 24, layers: 2, new Head(kind, 3), bidirectional);
        using var network = Models.Network(shape, seed: 12);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        const int count = 6;
        var sequences = Models.Sequences(shape, count, seed: 13);
        var expected = new float[count * shape.OutputsPerSequence];
        var actual = new float[count * shape.OutputsPerSequence];
        using (var session = model.CreateSession(4)) session.Predict(sequences, count, expected);
        using (var session = int8.CreateSession(4)) session.Predict(sequences, count, actual);
        Models.AssertClose(expected, actual, 0.05f);
        Assert.NotEqual(expected, actual);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru-tf")]
    public void Quantized_StepByStep_IsBitIdenticalToPredict(string cell)
    {
        var shape = Models.Shape(cell, steps: 7, inputs: 3, hidden: 21, layers: 2, classes: 5);
        using var network = Models.Network(shape, seed: 5);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        using var session = int8.CreateSession(maxBatch: 3);
        const int streams = 3;
        var sequences = Models.Sequences(shape, streams, seed: 6);
        var predicted = new float[streams * shape.Outputs];
        session.Predict(sequences, streams, predicted);

        var input = new float[streams * shape.Inputs];
        var streamed = new float[streams * shape.Outputs];
        for (int t = 0; t < shape.Steps; t++)
        {
            for (int r = 0; r < streams; r++) sequences.AsSpan((r * shape.Steps + t) * shape.Inputs, shape.Inputs).CopyTo(input.AsSpan(r * shape.Inputs));
            session.Step(input, streamed);
        }

        Assert.Equal(predicted, streamed);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru-tf")]
    public void Quantized_PredictAndStep_AllocateNothingAfterConstruction(string cell)
    {
        var shape = Models.Shape(cell, steps: 28, inputs: 28, hidden: 64, layers: 2, classes: 10);
        using var network = Models.Network(shape, seed: 16);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        using var session = int8.CreateSession(maxBatch: 8);
        var sequences = Models.Sequences(shape, 20, seed: 17);
        var probabilities = new float[20 * shape.Outputs];
        var input = sequences.AsSpan(0, 8 * shape.Inputs).ToArray();
        var streamed = new float[8 * shape.Outputs];

        void Run()
        {
            session.Predict(sequences, 20, probabilities);
            session.Predict(sequences, 1, probabilities);
            session.Step(input, streamed);
            session.Step(input.AsSpan(0, 3 * shape.Inputs), streamed);
            session.ReadProbabilities(streamed);
            session.Reset();
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(InferenceSession.RequiredBytes(int8, 8), session.WorkspaceBytes);
        Assert.True(InferenceSession.RequiredBytes(int8, 8) > InferenceSession.RequiredBytes(model, 8), "the int8 products' scratch is counted");
    }

    /// <summary>Rows are quantized one by one, so the chunking and the thread count change nothing.</summary>
    [Fact]
    public void Quantized_Classifier_IsBitIdenticalForAnyThreadCount()
    {
        var shape = Models.Shape("gru", steps: 5, inputs: 4, hidden: 16, layers: 1, classes: 3);
        using var network = Models.Network(shape, seed: 8);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        int count = 150;
        var data = new SequenceDataset(Models.Sequences(shape, count, seed: 9), new int[count], shape.Steps, shape.Inputs, shape.Outputs);
        using var one = new Evaluator(int8, threads: 1);
        using var two = new Evaluator(int8, threads: 2);
        var expected = one.Predict(data);
        Assert.Equal(expected, two.Predict(data));

        var single = new float[count * shape.Outputs];
        using var session = int8.CreateSession(maxBatch: 7);
        session.Predict(Models.Sequences(shape, count, seed: 9), count, single);
        Assert.Equal(expected, single);
    }

    [Fact]
    public void Quantize_OfAnInt8Model_IsRefused_AndTheWeightsAreSmaller()
    {
        var shape = Models.Shape("lstm", steps: 4, inputs: 8, hidden: 64, layers: 1, classes: 10);
        using var network = Models.Network(shape, seed: 1);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        Assert.Contains("Int8 already", Assert.Throws<InvalidOperationException>(() => int8.Quantize()).Message);
        Assert.Contains("int8", int8.Kernel);
        Assert.True(int8.WeightBytes < model.WeightBytes, $"int8 {int8.WeightBytes} bytes, float {model.WeightBytes}");
    }

    [Fact]
    public void SavedAndLoaded_PredictsTheSameBits()
    {
        var shape = Models.Shape("gru-tf", steps: 6, inputs: 5, hidden: 19, layers: 2, classes: 4, bidirectional: true);
        using var network = Models.Network(shape, seed: 10);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        string path = Path.Combine(Path.GetTempPath(), $"simdrnn-int8-{Guid.NewGuid():N}.safetensors");
        try
        {
            QuantizedModelFile.Save(path, int8, new ModelCheckpoint { Epoch = 3 });
            using var loaded = InferenceModel.Load(path);
            Assert.Equal(WeightFormat.Int8, loaded.Format);
            Assert.Equal(int8.Parameters.ToArray(), loaded.Parameters.ToArray());

            var sequences = Models.Sequences(shape, 5, seed: 11);
            var expected = new float[5 * shape.Outputs];
            var actual = new float[5 * shape.Outputs];
            using (var session = int8.CreateSession(5)) session.Predict(sequences, 5, expected);
            using (var session = loaded.CreateSession(2)) session.Predict(sequences, 5, actual);
            Assert.Equal(expected, actual);
            Assert.Equal(3, ModelFile.Describe(path, CellCatalog.BuiltIn).Epoch);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
