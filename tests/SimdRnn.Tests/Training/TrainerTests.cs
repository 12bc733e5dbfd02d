using SimdRnn.Cells;
using SimdRnn.Data;
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

    [Fact]
    public void TrainBatch_AllocatesNothingInSteadyState()
    {
        var data = Synthetic(512, 1);
        using var trainer = new Trainer(Lstm, new TrainOptions { Hidden = 24, Batch = 128, Threads = 1 }, data);
        trainer.TrainBatch(0, 128, 0.001f);
        trainer.TrainBatch(128, 128, 0.001f);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int batch = 0; batch < 4; batch++) trainer.TrainBatch(batch * 128, 128, 0.001f);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
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
