using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Model;
using SimdRnn.Tests.Cli;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// Options that ask for more than a machine has end at once with one line, before anything large is allocated;
/// a batch larger than the training set costs nothing extra.
/// </summary>
public sealed class ResourceLimitTests
{
    private static readonly Lazy<string> Data = new(() => Idx.WriteMnist(trainCount: 100, testCount: 20));

    [Theory]
    [InlineData(100_000, 1)]
    [InlineData(2_000_000_000, 1)]
    [InlineData(1_000, 100_000)]
    [InlineData(536_870_912, 1)] // 4 * hidden wraps to 0 in int arithmetic
    public void NetworkShape_TooManyParameters_ThrowsBeforeAllocating(int hidden, int layers)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!, 28, 28, hidden, layers, 10));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains($"of {hidden} hidden units, 28 inputs and 10 classes has more than", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Train_TooManyParameters_ExitsOneWithOneLine()
    {
        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--hidden", "100000", "--data", Data.Value);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("use fewer hidden units or layers", run.Error, StringComparison.Ordinal);
    }

    /// <summary>A CSV label of a billion makes a billion classes: refused before anything is allocated, saying why.</summary>
    [Fact]
    public void Train_CsvLabelOfABillion_ExitsOneNamingTheClasses()
    {
        string dir = Idx.TempDirectory(), train = Path.Combine(dir, "train.csv"), test = Path.Combine(dir, "test.csv");
        File.WriteAllText(train, "1000000000,1,2\n1,2,3\n");
        File.WriteAllText(test, "0,1,2\n");

        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--data-format", "csv", "--train", train, "--test", test, "--steps", "1", "--inputs", "2");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("1000000001 classes has more than", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_CsvRowTooLongForAnInt_IsAUsageError()
    {
        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--data-format", "csv", "--train", "a.csv", "--test", "b.csv", "--steps", "100000", "--inputs", "100000");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --steps 100000 x --inputs 100000 is more values than a CSV row can hold (at most 2147483646)", Assert.Single(run.ErrorLines));
    }

    /// <summary>Each chunk of 64 sequences has a gradient buffer; a billion-row batch on 100 images needs two.</summary>
    [Fact]
    public void Train_BatchFarAboveTheTrainingSet_Runs()
    {
        var run = CliHarness.Run(CellCatalog.BuiltIn,
            "train", "--hidden", "8", "--batch", "1000000000", "--epochs", "1", "--threads", "1", "--json", "--data", Data.Value);

        Assert.True(run.ExitCode is ExitCodes.Success or ExitCodes.Diverged, run.Error);
    }

    /// <summary>
    /// A run that needs more than the process may use is refused before the weights are allocated. The limit is a
    /// 256 MB GC heap in a child process; the run would need about 390 MB.
    /// </summary>
    [Fact]
    public void Train_MoreMemoryThanAvailable_ExitsOneBeforeAllocating()
    {
        var (code, output, error) = ChildCli.Run("", new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" },
            "train", "--hidden", "2000", "--epochs", "1", "--data", Data.Value);

        Assert.True(code == ExitCodes.Error, $"exit {code}: {error}");
        Assert.Equal("", output);
        string last = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("simdrnn: error: Training needs about ", last, StringComparison.Ordinal);
        Assert.Contains("use a smaller --hidden, --layers or --batch", last, StringComparison.Ordinal);
    }
}
