using SimdRnn.Cli;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class CellsCommandTests
{
    [Fact]
    public void EmptyRegistry_SaysSo()
    {
        var run = CliHarness.Run("cells");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("No cells are registered.\n", run.Out);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void Cells_ListsEveryCellWithItsGatesStatesAndWeights()
    {
        var run = CliHarness.Run([FakeCell.Lstm, FakeCell.Gru], "cells");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.StartsWith("2 cells: fake-lstm, fake-gru\n", run.Out);
        Assert.Contains("fake-lstm: An LSTM description for tests\n", run.Out);
        Assert.Contains("    c = f * c + i * g\n", run.Out);
        Assert.Contains("    h = o * tanh(c)\n", run.Out);
        Assert.Contains("    r = r * h\n", run.Out);
        Assert.Contains("    p  [H], initialised uniformly in [-0.1, 0.1]\n", run.Out);
    }

    [Fact]
    public void Describe_AlignsTheGateTable()
    {
        string text = CellsCommand.Describe(FakeCell.Lstm.Info);
        var lines = text.Split('\n');

        Assert.Equal(
            [
                "  gates",
                "    name  activation  pre-activation  bias init  recurrence",
                "    i     sigmoid     x_i + h_i       0          h (previous output)",
                "    f     sigmoid     x_f + h_f       1          h (previous output)",
                "    g     tanh        x_g + h_g       0          h (previous output)",
                "    o     sigmoid     x_o + h_o       0          h (previous output)",
            ],
            lines[1..7]);
    }

    [Fact]
    public void Describe_CountsTheWeightBlocks()
    {
        string lstm = CellsCommand.Describe(FakeCell.Lstm.Info);
        string gru = CellsCommand.Describe(FakeCell.Gru.Info);

        Assert.Contains("weight_ih    [4*H, I]  4 blocks  one per gate", lstm);
        Assert.Contains("weight_hh    [4*H, H]  4 blocks  4 on the previous output, 0 on the recurrent input", lstm);
        Assert.Contains("elementwise  0 x [H]   0 blocks", lstm);
        Assert.Contains("weight_hh    [3*H, H]  3 blocks  2 on the previous output, 1 on the recurrent input", gru);
        Assert.Contains("elementwise  1 x [H]   1 block", gru);
    }

    [Fact]
    public void LayerParameters_MatchesTheLstmFormula()
    {
        // 4H(I + H) + 8H with both biases, as PyTorch counts nn.LSTM(28, 128).
        Assert.Equal(4 * 128 * (28 + 128) + 8 * 128, CellsCommand.LayerParameters(FakeCell.Lstm.Info, 28, 128));
        Assert.Contains("80,896 parameters in a first layer of 128 units over 28 inputs", CellsCommand.Describe(FakeCell.Lstm.Info));
    }
}
