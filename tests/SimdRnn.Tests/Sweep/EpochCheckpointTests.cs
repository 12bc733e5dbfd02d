using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Sweep;

/// <summary>
/// Why a sweep may record 30 epochs on its way to 100: with a constant learning rate, and a shuffle that
/// depends only on the seed and the epoch, a longer run passes through the shorter one bit for bit.
/// A cosine schedule depends on the epoch count, so it does not.
/// </summary>
public sealed class EpochCheckpointTests
{
    private static SequenceDataset Data()
    {
        const int count = 96, steps = 5, inputs = 3;
        var random = new Random(11);
        var values = new float[count * steps * inputs];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(3);
            for (int k = 0; k < steps * inputs; k++) values[i * steps * inputs + k] = (float)random.NextDouble();
        }

        return new SequenceDataset(values, labels, steps, inputs, classes: 3);
    }

    private static float[] ParametersAfterTwoEpochs(int totalEpochs, LearningRateSchedule schedule)
    {
        var options = new TrainOptions { Hidden = 6, Batch = 32, LearningRate = 0.01f, Epochs = totalEpochs, Schedule = schedule, Threads = 1 };
        using var trainer = new Trainer(CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!, options, Data());
        trainer.TrainEpoch(1);
        trainer.TrainEpoch(2);
        return trainer.Network.Parameters.ToArray();
    }

    [Fact]
    public void ConstantRate_RunToFiveEpochs_PassesThroughTheRunToTwo()
    {
        Assert.Equal(ParametersAfterTwoEpochs(2, LearningRateSchedule.Constant), ParametersAfterTwoEpochs(5, LearningRateSchedule.Constant));
    }

    [Fact]
    public void CosineRate_DependsOnTheEpochCount()
    {
        Assert.NotEqual(ParametersAfterTwoEpochs(2, LearningRateSchedule.Cosine), ParametersAfterTwoEpochs(5, LearningRateSchedule.Cosine));
    }
}
