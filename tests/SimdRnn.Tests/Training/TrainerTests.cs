using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Model;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Training;

public sealed class TrainerTests
{
    // A small learnable problem: the label is which third of the sequence holds the largest value.
    private static SequenceDataset Synthetic(int count, int seed)
    {
        const int steps = 9, inputs = 3;
        var random = new Random(seed);
        var values = new float[count * steps * inputs];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(3);
            for (int t = 0; t < steps; t++)
            {
                for (int k = 0; k < inputs; k++) values[(i * steps + t) * inputs + k] = (float)random.NextDouble() * 0.3f;
            }

            values[(i * steps + labels[i] * 3 + random.Next(3)) * inputs + random.Next(inputs)] = 1f;
        }

        return new SequenceDataset(values, labels, steps, inputs, classes: 3);
    }

    private static CellEntry Lstm => CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!;

    [Theory]
    [InlineData(HeadKind.Classify)]
    [InlineData(HeadKind.Tag)]
    [InlineData(HeadKind.Regress)]
    [InlineData(HeadKind.RegressSteps)]
    public void TrainBatch_AllocatesNothingInSteadyState_ForEveryHead(HeadKind head)
    {
        var data = ForHead(Synthetic(512, 1), head);
        using var trainer = new Trainer(Lstm, new TrainOptions { Hidden = 24, Batch = 128, Threads = 1 }, data);
        SteadyState.AssertAllocatesNothing(batch => trainer.TrainBatch(batch % 4 * 128, 128, 0.001f));
    }

    [Theory]
    [InlineData(HeadKind.Tag)]
    [InlineData(HeadKind.RegressSteps)]
    public void Epoch_OfAPerStepHead_IsBitIdenticalForAnyThreadCount(HeadKind head)
    {
        var data = ForHead(Synthetic(300, 2), head);
        float[] Train(int threads)
        {
            using var trainer = new Trainer(Lstm, new TrainOptions { Hidden = 12, Batch = 150, Threads = threads }, data);
            trainer.TrainEpoch(1);
            return trainer.Network.Parameters.ToArray();
        }

        Assert.Equal(Train(1), Train(2));
    }

    [Fact]
    public void Regression_LearnsTheMeanOfTheInputs()
    {
        var inputs = Synthetic(1500, 6);
        var train = ForHead(inputs, HeadKind.Regress);
        var test = ForHead(Synthetic(300, 7), HeadKind.Regress);
        using var trainer = new Trainer(Lstm, new TrainOptions { Hidden = 16, Batch = 32, LearningRate = 0.01f, Epochs = 4 }, train);
        double before = trainer.Evaluate(test).Rmse!.Value;
        for (int epoch = 1; epoch <= 4; epoch++) trainer.TrainEpoch(epoch);
        var after = trainer.Evaluate(test);
        Assert.True(after.Rmse < before / 3, $"RMSE {after.Rmse} after training, {before} before");
        Assert.Null(after.Accuracy);
    }

    /// <summary>
    /// The same inputs with targets for <paramref name="head"/>: per step, the label of the running sign of step t's
    /// first input (tag), or the mean of each step's inputs (regression), or their mean over the sequence (regress).
    /// </summary>
    private static SequenceDataset ForHead(SequenceDataset data, HeadKind head)
    {
        if (head == HeadKind.Classify) return data;
        int steps = data.Steps, inputs = data.Inputs, count = data.Count;
        var values = new float[count * steps * inputs];
        for (int n = 0; n < count; n++) data.CopySequence(n, values.AsSpan(n * steps * inputs, steps * inputs));
        float Mean(int n, int t) => values.AsSpan((n * steps + t) * inputs, inputs).ToArray().Average();
        return head switch
        {
            HeadKind.Tag => SequenceDataset.ForHead(new Head(head, 2), values,
                Enumerable.Range(0, count * steps).Select(i => Mean(i / steps, i % steps) > 0.15f ? 1 : 0).ToArray(), null, steps, inputs),
            HeadKind.RegressSteps => SequenceDataset.ForHead(new Head(head, 1), values, null,
                Enumerable.Range(0, count * steps).Select(i => Mean(i / steps, i % steps)).ToArray(), steps, inputs),
            _ => SequenceDataset.ForHead(new Head(head, 1), values, null,
                Enumerable.Range(0, count).Select(n => Enumerable.Range(0, steps).Select(t => Mean(n, t)).Average() * 10).ToArray(), steps, inputs),
        };
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru-tf")]
    public void Epoch_IsBitIdenticalForAnyThreadCount(string cell)
    {
        var data = Synthetic(600, 2);
        float[] Train(int threads)
        {
            using var trainer = new Trainer(CellCatalog.Find(CellCatalog.BuiltIn, cell)!, new TrainOptions { Hidden = 20, Batch = 200, Threads = threads }, data);
            trainer.TrainEpoch(1);
            return trainer.Network.Parameters.ToArray();
        }

        Assert.Equal(Train(1), Train(2));
    }

    [Fact]
    public void SameSeed_SameNumbers_OtherSeed_OtherNumbers()
    {
        var data = Synthetic(300, 3);
        float[] Train(int seed)
        {
            using var trainer = new Trainer(Lstm, new TrainOptions { Hidden = 8, Batch = 64, Seed = seed }, data);
            trainer.TrainEpoch(1);
            return trainer.Network.Parameters.ToArray();
        }

        Assert.Equal(Train(5), Train(5));
        Assert.NotEqual(Train(5), Train(6));
    }

    [Fact]
    public void Training_LearnsASyntheticTask()
    {
        var train = Synthetic(2000, 4);
        var test = Synthetic(500, 5);
        using var trainer = new Trainer(Lstm, new TrainOptions { Hidden = 16, Batch = 32, LearningRate = 0.01f, Epochs = 3 }, train);
        double before = trainer.Evaluate(test).Accuracy!.Value;
        for (int epoch = 1; epoch <= 3; epoch++) trainer.TrainEpoch(epoch);
        var after = trainer.Evaluate(test);
        Assert.True(after.Accuracy > 0.9, $"accuracy {after.Accuracy} (before training {before})");
        Assert.Equal(500, after.Confusion!.Cast<int>().Sum());
    }

    [Fact]
    public void CosineSchedule_DecaysFromTheRateToZero()
    {
        using var trainer = new Trainer(Lstm, new TrainOptions { Hidden = 4, Batch = 10, Epochs = 2, LearningRate = 0.1f }, Synthetic(100, 6));
        Assert.Equal(0.1f, trainer.LearningRate(1, 0));
        Assert.Equal(0.05f, trainer.LearningRate(2, 0), 1e-6f);
        Assert.True(trainer.LearningRate(2, 9) < 0.01f);
    }
}
