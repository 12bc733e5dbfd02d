using System.Numerics.Tensors;
using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Inference;

public sealed class InferenceSessionTests
{
    public static TheoryData<string> Cells => [.. CellCatalog.BuiltIn.Select(cell => cell.Info.Name)];

    [Theory]
    [MemberData(nameof(Cells))]
    public void Predict_MatchesTheTrainingForward(string cell)
    {
        var shape = Models.Shape(cell, steps: 6, inputs: 5, hidden: 19, layers: 2, classes: 4);
        using var network = Models.Network(shape, seed: 3);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 3);
        const int count = 7;
        var sequences = Models.Sequences(shape, count, seed: 4);

        var probabilities = new float[count * shape.Outputs];
        session.Predict(sequences, count, probabilities);

        var expected = Models.ReferenceProbabilities(network, sequences, count);
        Models.AssertClose(expected, probabilities, 1e-5f);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Step_FedSequenceStepByStep_MatchesPredict(string cell)
    {
        var shape = Models.Shape(cell, steps: 8, inputs: 3, hidden: 21, layers: 2, classes: 5);
        using var network = Models.Network(shape, seed: 5);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 4);
        const int streams = 4;
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

        Assert.Equal(shape.Steps, session.StepCount);
        Models.AssertClose(predicted, streamed, 1e-5f);
        var read = new float[streams * shape.Outputs];
        session.ReadProbabilities(read);
        Assert.Equal(streamed, read);
    }

    [Fact]
    public void Step_AtEveryStep_MatchesPredictOfThePrefix()
    {
        // A model of t steps is the same network: the output after step t is the prediction of the first t steps.
        var full = Models.Shape("lstm", steps: 5, inputs: 2, hidden: 16, layers: 1, classes: 3);
        using var network = Models.Network(full, seed: 8);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession();
        var sequence = Models.Sequences(full, 1, seed: 9);
        var streamed = new float[full.Outputs];
        for (int t = 1; t <= full.Steps; t++)
        {
            session.Step(sequence.AsSpan((t - 1) * full.Inputs, full.Inputs), streamed);
            var prefixShape = Models.Shape("lstm", steps: t, inputs: 2, hidden: 16, layers: 1, classes: 3);
            using var prefix = new InferenceModel(prefixShape, model.Parameters);
            using var prefixSession = prefix.CreateSession();
            var predicted = new float[full.Outputs];
            prefixSession.Predict(sequence.AsSpan(0, t * full.Inputs), 1, predicted);
            Models.AssertClose(predicted, streamed, 1e-5f);
        }
    }

    [Fact]
    public void Reset_StartsAgain_AndResettingOneStreamLeavesTheOthers()
    {
        var shape = Models.Shape("gru", steps: 4, inputs: 3, hidden: 12, layers: 2, classes: 3);
        using var network = Models.Network(shape, seed: 10);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 2);
        var input = Models.Sequences(shape, 2, seed: 11).AsSpan(0, 2 * shape.Inputs).ToArray();
        var first = new float[2 * shape.Outputs];
        session.Step(input, first);
        var second = new float[2 * shape.Outputs];
        session.Step(input, second);
        Assert.NotEqual(first, second);

        session.Reset();
        Assert.Equal(0, session.StepCount);
        Assert.All(session.Output.ToArray(), value => Assert.Equal(0f, value));
        var again = new float[2 * shape.Outputs];
        session.Step(input, again);
        Assert.Equal(first, again);

        session.Reset(1);
        session.Step(input, again);
        Assert.Equal(second.AsSpan(0, shape.Outputs).ToArray(), again.AsSpan(0, shape.Outputs).ToArray());
        Assert.Equal(first.AsSpan(shape.Outputs).ToArray(), again.AsSpan(shape.Outputs).ToArray());
    }

    [Fact]
    public void Predict_LeavesTheStreamsAlone()
    {
        var shape = Models.Shape("lstm", steps: 3, inputs: 2, hidden: 8, layers: 1, classes: 2);
        using var network = Models.Network(shape, seed: 12);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession();
        var sequence = Models.Sequences(shape, 1, seed: 13);
        var a = new float[2];
        var b = new float[2];
        session.Step(sequence.AsSpan(0, 2), a);
        session.Predict(sequence, 1, b);
        session.ReadProbabilities(b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Classify_ReturnsTheMostProbableClass()
    {
        var shape = Models.Shape("lstm", steps: 4, inputs: 3, hidden: 10, layers: 1, classes: 6);
        using var network = Models.Network(shape, seed: 14);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession();
        var sequence = Models.Sequences(shape, 1, seed: 15);
        int predicted = session.Classify(sequence);
        var probabilities = new float[shape.Outputs];
        session.Predict(sequence, 1, probabilities);
        Assert.Equal(TensorPrimitives.IndexOfMax<float>(probabilities), predicted);
        Assert.Equal(probabilities, session.LastProbabilities.ToArray());
        Assert.Equal(1f, probabilities.Sum(), 1e-5f);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru-tf")]
    public void Predict_AndStep_Alloc_NothingAfterConstruction(string cell)
    {
        var shape = Models.Shape(cell, steps: 28, inputs: 28, hidden: 64, layers: 2, classes: 10);
        using var network = Models.Network(shape, seed: 16);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 8);
        var sequences = Models.Sequences(shape, 20, seed: 17);
        var probabilities = new float[20 * shape.Outputs];
        var input = sequences.AsSpan(0, 8 * shape.Inputs).ToArray();
        var streamed = new float[8 * shape.Outputs];

        void Run()
        {
            session.Predict(sequences, 20, probabilities);
            session.Predict(sequences, 1, probabilities);
            session.Classify(sequences.AsSpan(0, shape.Steps * shape.Inputs));
            session.Step(input, streamed);
            session.Step(input.AsSpan(0, 3 * shape.Inputs), streamed);
            session.Step(input, default);
            session.ReadProbabilities(streamed);
            session.Reset();
            session.Reset(2);
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void RequiredBytes_IsWhatTheSessionAllocates()
    {
        var shape = Models.Shape("gru", steps: 28, inputs: 28, hidden: 128, layers: 2, classes: 10);
        using var network = Models.Network(shape, seed: 18);
        using var model = InferenceModel.FromNetwork(network);
        const int maxBatch = 16;
        long required = InferenceSession.RequiredBytes(model, maxBatch);
        long gemmBytes = sizeof(float) * InferenceSession.GemmScratchFloats(Math.Max(shape.Inputs, shape.Hidden), maxBatch);

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var session = new InferenceSession(model, maxBatch);
        long managed = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(required, session.WorkspaceBytes);
        // The managed arrays' payloads, plus object headers and the session's small objects.
        Assert.InRange(managed, required - gemmBytes, required - gemmBytes + 4096);
    }

    [Fact]
    public void Model_IsACopy_AndSessionsOnManyThreadsAgree()
    {
        var shape = Models.Shape("lstm", steps: 10, inputs: 4, hidden: 32, layers: 2, classes: 3);
        using var network = Models.Network(shape, seed: 19);
        using var model = InferenceModel.FromNetwork(network);
        Array.Clear(network.Parameters);
        network.ParametersChanged();

        var sequences = Models.Sequences(shape, 16, seed: 20);
        var expected = new float[16 * shape.Outputs];
        using (var session = model.CreateSession(4)) session.Predict(sequences, 16, expected);
        using (var reference = ReferenceOf(model)) Models.AssertClose(Models.ReferenceProbabilities(reference, sequences, 16), expected, 1e-5f);

        var results = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var session = model.CreateSession(1 + i);
            var probabilities = new float[16 * shape.Outputs];
            for (int repeat = 0; repeat < 20; repeat++) session.Predict(sequences, 16, probabilities);
            results[i] = probabilities;
        });
        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Fact]
    public void WrongSizes_AreArgumentErrors()
    {
        var shape = Models.Shape("rnn", steps: 3, inputs: 2, hidden: 4, layers: 1, classes: 2);
        using var network = Models.Network(shape, seed: 21);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 2);
        Assert.Throws<ArgumentException>(() => session.Predict(new float[5], 1, new float[2]));
        Assert.Throws<ArgumentException>(() => session.Predict(new float[6], 1, new float[1]));
        Assert.Throws<ArgumentException>(() => session.Step(new float[3], default));
        Assert.Throws<ArgumentException>(() => session.Step(new float[6], default));
        Assert.Throws<ArgumentException>(() => session.Step(new float[4], new float[3]));
        Assert.Throws<ArgumentException>(() => new InferenceModel(shape, new float[shape.ParameterCount - 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateSession(0));
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Predict(new float[6], 1, new float[2]));
    }

    private static Network<float> ReferenceOf(InferenceModel model)
    {
        var network = new Network<float>(model.Shape);
        model.Parameters.CopyTo(network.Parameters);
        network.ParametersChanged();
        return network;
    }
}
