using System.Text.Json;
using SimdRnn.Cells;
using SimdRnn.Data;
using Xunit;

namespace SimdRnn.Tests.Cli;

/// <summary>
/// The real thing, small: one epoch on a subset of MNIST through the command line, with the generated
/// cells and the packed kernels. MNIST is fetched into the default data directory when missing.
/// </summary>
[Collection(ProcessStateCollection.Name)]
public sealed class SmokeTrainingTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru-tf")]
    public void Train_OneEpochOnASubset_BeatsChanceByAWideMargin(string cell)
    {
        string data = MnistStore.ResolveDirectory(null);
        MnistStore.EnsureAvailable(data, null);

        var run = CliHarness.Run(CellCatalog.BuiltIn,
            "train", "--cell", cell, "--hidden", "64", "--lr", "0.005", "--epochs", "1", "--limit", "6000", "--json", "--data", data);

        Assert.True(run.ExitCode == 0, run.Error);
        var summary = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement;
        double accuracy = summary.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.6, $"{cell}: test accuracy {accuracy} after one epoch on 6,000 images (chance is 0.1)");
    }
}
