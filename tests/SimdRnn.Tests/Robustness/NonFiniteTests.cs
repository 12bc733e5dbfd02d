using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>NaN and infinity: refused at the door in data, and a run whose loss stops being finite says so and stops.</summary>
public sealed class NonFiniteTests
{
    [Theory]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 7)]
    [InlineData(float.NegativeInfinity, 11)]
    public void Dataset_NonFiniteValue_IsRefusedNamingWhere(float value, int index)
    {
        var values = new float[2 * 3 * 2]; // 2 sequences of 3 steps of 2 inputs
        values[index] = value;

        var error = Assert.Throws<ArgumentException>(() => new SequenceDataset(values, new[] { 0, 1 }, steps: 3, inputs: 2, classes: 2));

        Assert.Contains($"of sequence {index / 6}, step {index % 6 / 2}, input {index % 2} is not finite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_NaNAndInfinity_ReportsTheNaN()
    {
        var values = new float[8];
        values[1] = float.PositiveInfinity;
        values[5] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() => new SequenceDataset(values, new[] { 0, 1 }, steps: 2, inputs: 2, classes: 2));

        Assert.StartsWith("Value NaN of sequence 1, step 0, input 1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A learning rate of 1e30 sends the weights to infinity within an epoch: the epoch ends early, and the check names it.</summary>
    [Fact]
    public void Trainer_WeightsBlowUp_EpochStopsAndTheCheckSaysDiverged()
    {
        var random = new Random(3);
        var values = new float[256 * 4 * 3];
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        var labels = Enumerable.Range(0, 256).Select(n => n % 2).ToArray();
        var data = new SequenceDataset(values, labels, steps: 4, inputs: 3, classes: 2);
        var options = new TrainOptions { Cell = "rnn", Hidden = 8, Batch = 64, LearningRate = 1e30f, Optimizer = OptimizerKind.Sgd, Clip = 0, Epochs = 1, Threads = 1 };
        using var trainer = new Trainer(CellCatalog.Find(CellCatalog.BuiltIn, "rnn")!, options, data);

        var result = trainer.TrainEpoch(1);

        Assert.False(result.Completed);
        Assert.False(double.IsFinite(result.Cost));
        Assert.StartsWith("Training diverged: the loss became", DivergenceCheck.Check(result, double.NaN, 2));
    }
}
