using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Training;

/// <summary>Training with sequences of their own lengths, bidirectional layers and dropout: no allocation per batch, bit-identical for any thread count, and it learns.</summary>
public sealed class SequenceShapeTrainingTests
{
    // The label is the sign of the first value of each sequence's own last step (the steps after it are noise):
    // a model that read the padding, or the wrong last step, stays near chance.
    private static SequenceDataset LastStepSign(int count, int seed)
    {
        const int steps = 10, inputs = 2;
        var random = new Random(seed);
        var values = new float[count * steps * inputs];
        var labels = new int[count];
        var lengths = new int[count];
        for (int i = 0; i < count; i++)
        {
            lengths[i] = random.Next(1, steps + 1);
            for (int k = 0; k < steps * inputs; k++) values[i * steps * inputs + k] = (float)(random.NextDouble() * 2 - 1);
            labels[i] = values[(i * steps + lengths[i] - 1) * inputs] > 0 ? 1 : 0;
        }

        return new SequenceDataset(values, labels, steps, inputs, classes: 2).WithLengths(lengths);
    }

    private static CellEntry Cell(string name) => CellCatalog.Find(CellCatalog.BuiltIn, name)!;

    [Fact]
    public void TrainBatch_WithLengthsBidirectionalAndDropout_AllocatesNothingInSteadyState()
    {
        var data = LastStepSign(512, 1);
        var options = new TrainOptions { Hidden = 16, Layers = 2, Bidirectional = true, Dropout = 0.3f, Batch = 128, Threads = 1 };
        using var trainer = new Trainer(Cell("lstm"), options, data);
        SteadyState.AssertAllocatesNothing(batch => trainer.TrainBatch(batch % 4 * 128, 128, 0.001f, epoch: 1, batch: batch % 4));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru-tf")]
    public void Epoch_WithLengthsBidirectionalAndDropout_IsBitIdenticalForAnyThreadCount(string cell)
    {
        var data = LastStepSign(400, 2);
        float[] Train(int threads)
        {
            var options = new TrainOptions { Hidden = 12, Layers = 2, Bidirectional = true, Dropout = 0.25f, Batch = 200, Threads = threads };
            using var trainer = new Trainer(Cell(cell), options, data);
            trainer.TrainEpoch(1);
            trainer.TrainEpoch(2);
            return trainer.Network.Parameters.ToArray();
        }

        Assert.Equal(Train(1), Train(2));
    }

    [Fact]
    public void DropoutZero_EqualsNoDropout_AndDropoutChangesTraining()
    {
        var data = LastStepSign(300, 3);
        float[] Train(TrainOptions options)
        {
            using var trainer = new Trainer(Cell("gru"), options, data);
            trainer.TrainEpoch(1);
            return trainer.Network.Parameters.ToArray();
        }

        var plain = new TrainOptions { Hidden = 8, Layers = 2, Batch = 100 };
        Assert.Equal(Train(plain), Train(plain with { Dropout = 0f }));
        Assert.NotEqual(Train(plain), Train(plain with { Dropout = 0.5f }));
    }

    [Fact]
    public void Evaluation_NeverDrops()
    {
        var data = LastStepSign(300, 4);
        using var trainer = new Trainer(Cell("lstm"), new TrainOptions { Hidden = 8, Layers = 3, Dropout = 0.5f, Batch = 100 }, data);
        trainer.TrainEpoch(1);
        using var plain = new Evaluator(trainer.Network);
        var expected = plain.Evaluate(data);
        var found = trainer.Evaluate(data);
        Assert.Equal(expected.Loss, found.Loss);
        Assert.Equal(expected.Accuracy, found.Accuracy);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Training_LearnsEachSequencesOwnLastStep(bool bidirectional)
    {
        var train = LastStepSign(3000, 5);
        var test = LastStepSign(500, 6);
        using var trainer = new Trainer(Cell("gru"), new TrainOptions { Hidden = 16, Bidirectional = bidirectional, Batch = 50, LearningRate = 0.01f, Epochs = 4 }, train);
        for (int epoch = 1; epoch <= 4; epoch++) trainer.TrainEpoch(epoch);
        double accuracy = trainer.Evaluate(test).Accuracy!.Value;
        Assert.True(accuracy > 0.9, $"test accuracy {accuracy:F3}");
        Assert.Equal(4L * train.Lengths.ToArray().Sum(), trainer.StepsTrained);
    }
}
