using SimdRnn.Cells;
using SimdRnn.Inference;
using Xunit;

namespace SimdRnn.Tests.Inference;

/// <summary>Predict with each sequence's length, one or two directions, against the training forward; Step refuses a bidirectional model.</summary>
public sealed class SequenceLengthInferenceTests
{
    public static TheoryData<string, bool> CellsAndDirections
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var cell in CellCatalog.BuiltIn) foreach (bool bidirectional in new[] { false, true }) data.Add(cell.Info.Name, bidirectional);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CellsAndDirections))]
    public void PredictWithLengths_MatchesTheTrainingForward(string cell, bool bidirectional)
    {
        var shape = Models.Shape(cell, steps: 7, inputs: 4, hidden: 19, layers: 2, classes: 3, bidirectional);
        using var network = Models.Network(shape, seed: 11);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 3);
        const int count = 8;
        var sequences = Models.Sequences(shape, count, seed: 12);
        int[] lengths = [7, 1, 3, 7, 5, 2, 6, 4];

        var probabilities = new float[count * shape.Outputs];
        session.Predict(sequences, count, lengths, probabilities);

        Models.AssertClose(Models.ReferenceProbabilities(network, sequences, count, lengths), probabilities, 1e-5f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PaddingValues_ChangeNothing(bool bidirectional)
    {
        var shape = Models.Shape("lstm", steps: 6, inputs: 3, hidden: 9, layers: 2, classes: 4, bidirectional);
        using var network = Models.Network(shape, seed: 2);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 2);
        var sequences = Models.Sequences(shape, 2, seed: 3);
        int[] lengths = [2, 5];
        var first = new float[2 * shape.Outputs];
        session.Predict(sequences, 2, lengths, first);

        // Overwrite every padded step with other values.
        for (int r = 0; r < 2; r++)
        {
            for (int t = lengths[r]; t < shape.Steps; t++) sequences.AsSpan((r * shape.Steps + t) * shape.Inputs, shape.Inputs).Fill(40f + t);
        }

        var second = new float[2 * shape.Outputs];
        session.Predict(sequences, 2, lengths, second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Predict_AllLengthsT_EqualsPredictWithoutLengths()
    {
        var shape = Models.Shape("gru", steps: 5, inputs: 3, hidden: 8, layers: 1, classes: 3);
        using var network = Models.Network(shape, seed: 4);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 4);
        var sequences = Models.Sequences(shape, 4, seed: 5);
        var without = new float[4 * shape.Outputs];
        var with = new float[4 * shape.Outputs];
        session.Predict(sequences, 4, without);
        session.Predict(sequences, 4, [5, 5, 5, 5], with);
        Assert.Equal(without, with);
    }

    [Fact]
    public void Predict_LengthOutsideSteps_NamesIt()
    {
        var shape = Models.Shape("rnn", steps: 5, inputs: 2, hidden: 4, layers: 1, classes: 2);
        using var network = Models.Network(shape, seed: 1);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 2);
        var e = Assert.Throws<ArgumentException>(() => session.Predict(new float[2 * 5 * 2], 2, [3, 6], new float[4]));
        Assert.StartsWith("Length 6 of sequence 1: expected 1 to 5 steps.", e.Message);
    }

    [Fact]
    public void Step_OnABidirectionalModel_IsRefused()
    {
        var shape = Models.Shape("lstm", steps: 4, inputs: 2, hidden: 3, layers: 1, classes: 2, bidirectional: true);
        using var network = Models.Network(shape, seed: 1);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession();
        var e = Assert.Throws<InvalidOperationException>(() => session.Step(new float[2], new float[2]));
        Assert.Contains("bidirectional", e.Message);
    }

    [Fact]
    public void PredictWithLengths_AllocatesNothing()
    {
        var shape = Models.Shape("lstm", steps: 6, inputs: 3, hidden: 16, layers: 2, classes: 4, bidirectional: true);
        using var network = Models.Network(shape, seed: 2);
        using var model = InferenceModel.FromNetwork(network);
        using var session = model.CreateSession(maxBatch: 4);
        var sequences = Models.Sequences(shape, 4, seed: 3);
        int[] lengths = [6, 2, 4, 1];
        var probabilities = new float[4 * shape.Outputs];
        session.Predict(sequences, 4, lengths, probabilities);
        long before = GC.GetAllocatedBytesForCurrentThread();
        session.Predict(sequences, 4, lengths, probabilities);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
