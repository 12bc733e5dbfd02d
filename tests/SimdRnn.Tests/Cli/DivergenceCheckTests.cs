using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class DivergenceCheckTests
{
    private static EpochResult Epoch(int epoch, double cost, bool completed = true, double samplesPerSecond = 1000) =>
        new(epoch, cost, samplesPerSecond, 2.0, completed);

    [Fact]
    public void NaNLoss_StopsWithAnExplanationAndASuggestion()
    {
        string? reason = DivergenceCheck.Check(Epoch(1, double.NaN, completed: false), double.NaN, 10);

        Assert.Equal(
            "Training diverged: the loss became NaN in epoch 1. Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).",
            reason);
    }

    [Fact]
    public void InfiniteLoss_SaysInfinite()
    {
        string? reason = DivergenceCheck.Check(Epoch(4, double.PositiveInfinity, completed: false), double.NaN, 10);

        Assert.StartsWith("Training diverged: the loss became infinite in epoch 4.", reason);
    }

    [Fact]
    public void ChanceAccuracyAfterTheFirstEpoch_Stops()
    {
        string? reason = DivergenceCheck.Check(Epoch(1, 2.30), 0.098, 10);

        Assert.Equal(
            "Training diverged: test accuracy 0.0980 is at chance level (0.10) after epoch 1: the network is not learning. " +
            "Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).",
            reason);
    }

    [Theory]
    [InlineData(0.9712, 10)]
    [InlineData(0.16, 10)]
    [InlineData(0.76, 2)]
    public void LearningRun_GoesOn(double accuracy, int classes)
    {
        Assert.Null(DivergenceCheck.Check(Epoch(1, 0.345), accuracy, classes));
    }

    [Theory]
    [InlineData(0.1499, 10)]
    [InlineData(0.74, 2)]
    public void BelowOneAndAHalfTimesChance_Stops(double accuracy, int classes)
    {
        Assert.NotNull(DivergenceCheck.Check(Epoch(3, 2.5), accuracy, classes));
    }

    [Fact]
    public void ChanceAccuracyWithALossBelowAUniformGuess_GoesOn()
    {
        // Pixel-by-pixel MNIST: an LSTM stays at chance for its first epochs while its loss falls.
        Assert.Null(DivergenceCheck.Check(Epoch(1, 2.25), 0.1135, 10));
    }

    /// <summary>
    /// Law: a completed epoch with a finite loss stops for chance exactly when its accuracy is below 1.5 / classes and
    /// its loss at least 0.99 ln(classes); for any accuracy, loss and number of classes.
    /// </summary>
    [Property(MaxTest = 300, Replay = "(4242,99)")]
    public void ChanceStop_NeedsBothChanceAccuracyAndAUniformGuessLoss(NormalFloat cost, NormalFloat accuracy, PositiveInt classSeed)
    {
        int classes = 2 + classSeed.Get % 30;
        double loss = Math.Abs(cost.Get) % (3 * Math.Log(classes)), acc = Math.Abs(accuracy.Get) % 1;
        bool stops = DivergenceCheck.Check(Epoch(2, loss), acc, classes) is not null;
        Assert.Equal(acc < 1.5 / classes && loss >= 0.99 * Math.Log(classes), stops);
    }

    [Fact]
    public void FiniteLoss_WithoutAccuracyYet_GoesOn()
    {
        Assert.Null(DivergenceCheck.Check(Epoch(1, 0.7), double.NaN, 10));
    }

    [Fact]
    public void CancelledRun_IsNotADivergence()
    {
        Assert.Null(DivergenceCheck.Check(Epoch(2, 0.7, completed: false), double.NaN, 10));
        Assert.Null(DivergenceCheck.Check(Epoch(1, double.NaN, completed: false, samplesPerSecond: 0), double.NaN, 10));
    }
}
