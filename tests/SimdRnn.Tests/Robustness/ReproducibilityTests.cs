using System.Text.Json.Nodes;
using SimdRnn.Cells;
using SimdRnn.Tests.Cli;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// The documented guarantee (docs/training.md, Reproducibility), end to end through the command line: the same
/// seed and options print the same cost and accuracy to the last digit for any thread count; another seed does not.
/// Batches of 192 make three chunks of 64, so two threads really split each batch.
/// </summary>
[Collection(ProcessStateCollection.Name)]
public sealed class ReproducibilityTests
{
    private static readonly Lazy<string> Data = new(() => Idx.WriteMnist(trainCount: 400, testCount: 100));

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void SameSeed_OneOrTwoThreads_PrintsIdenticalResults(string cell)
    {
        string[] one = Results(cell, seed: 7, threads: 1);
        string[] two = Results(cell, seed: 7, threads: 2);
        string[] again = Results(cell, seed: 7, threads: 2);

        Assert.Equal(one, two);
        Assert.Equal(two, again);
    }

    [Fact]
    public void AnotherSeed_PrintsOtherResults()
    {
        Assert.NotEqual(Results("lstm", seed: 7, threads: 2), Results("lstm", seed: 8, threads: 2));
    }

    /// <summary>The JSON lines without their timing fields, as printed (so every digit counts).</summary>
    private static string[] Results(string cell, int seed, int threads)
    {
        var run = CliHarness.Run(CellCatalog.BuiltIn,
            "train", "--cell", cell, "--hidden", "16", "--batch", "192", "--epochs", "2", "--lr", "0.01",
            "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--data", Data.Value);

        // Exit 3 is allowed: a net this small on synthetic images may stay at chance, which is a result too.
        Assert.True(run.ExitCode is 0 or 3, run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        return [.. lines.Select(line =>
        {
            var json = JsonNode.Parse(line)!.AsObject();
            json.Remove("samples_per_second");
            json.Remove("seconds");
            json.Remove("train_seconds");
            return json.ToJsonString();
        })];
    }
}
