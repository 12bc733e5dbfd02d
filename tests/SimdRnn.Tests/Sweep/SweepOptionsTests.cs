using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using Xunit;

namespace SimdRnn.Tests.Sweep;

/// <summary>Bad sweep options: exit code 2 and one line naming the option, before any training or any file.</summary>
public sealed class SweepOptionsTests
{
    public static TheoryData<string, string[]> BadLists => new()
    {
        { "--lr", ["--lr", ""] },
        { "--lr", ["--lr", "0.1,,0.01"] },
        { "--lr", ["--lr", "0.1,"] },
        { "--lr", ["--lr", "fast"] },
        { "--lr", ["--lr", "0.1,0"] },
        { "--lr", ["--lr", "NaN"] },
        { "--lr", ["--lr", "1e99"] },
        { "--lr", ["--lr", "0.1,0.1"] },
        { "--epochs", ["--epochs", "1.5"] },
        { "--epochs", ["--epochs", "30,,50"] },
        { "--batch", ["--batch", "0"] },
        { "--batch", ["--batch", "64;128"] },
        { "--hidden", ["--hidden", "-128"] },
        { "--layers", ["--layers", "one"] },
        { "--seed", ["--seed", "1,x"] },
        { "--cell", ["--cell", "fake-lstm,lstm"] },
        { "--cell", ["--cell", ","] },
        { "--limit", ["--limit", "0"] },
        { "--threads", ["--threads", "many"] },
        { "--shard", ["--shard", "3/2"] },
        { "--shard", ["--shard", "2/2"] },
        { "--shard", ["--shard", "0/0"] },
        { "--shard", ["--shard", "first"] },
    };

    [Theory]
    [MemberData(nameof(BadLists))]
    public void BadOption_ExitsTwo_WithOneLineNamingIt_BeforeTraining(string option, string[] args)
    {
        var trainer = new FakeTrainer();
        string output = Path.Combine(Idx.TempDirectory(), "never-created");

        var run = trainer.Sweep(output, option == "--cell" ? args : ["--cell", "fake-lstm", .. args]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"simdrnn: {option} ", line);
        Assert.Empty(trainer.Runs);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void MissingOut_IsAnError()
    {
        var run = CliHarness.Run(FakeTrainer.Cells, "sweep", "--cell", "fake-lstm");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --out DIR is required: the directory of results.jsonl", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void OutThatIsAFile_IsAnError()
    {
        string file = Path.Combine(Idx.TempDirectory(), "results");
        File.WriteAllText(file, "not a directory");
        var trainer = new FakeTrainer();

        var run = trainer.Sweep(file, "--cell", "fake-lstm");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"simdrnn: --out must be a directory, got '{file}', which is a file", Assert.Single(run.ErrorLines));
        Assert.Empty(trainer.Runs);
    }

    [Fact]
    public void OutThatCannotBeCreated_IsAnError()
    {
        string file = Path.Combine(Idx.TempDirectory(), "plain-file");
        File.WriteAllText(file, "");
        string below = Path.Combine(file, "sweep");
        var trainer = new FakeTrainer();

        var run = trainer.Sweep(below, "--cell", "fake-lstm");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith($"simdrnn: --out '{below}' is not a writable directory", Assert.Single(run.ErrorLines));
        Assert.Empty(trainer.Runs);
    }

    [Fact]
    public void ReadOnlyOut_IsAnError()
    {
        // Root may write anywhere; the check is then the one above.
        if (Environment.UserName == "root" || OperatingSystem.IsWindows()) return;
        string output = Idx.TempDirectory();
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var run = new FakeTrainer().Sweep(output, "--cell", "fake-lstm");

            Assert.Equal(ExitCodes.Usage, run.ExitCode);
            Assert.StartsWith($"simdrnn: --out '{output}' is not a writable directory", Assert.Single(run.ErrorLines));
        }
        finally
        {
            File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Lists_AreTrimmedAndKeepTheirOrder()
    {
        var parsed = CommandLineParser.Parse("sweep", ["--cell", "fake-gru, fake-lstm", "--lr", "0.1, 0.001", "--epochs", "100,30,50", "--out", "x"], SweepCommand.Options);

        var settings = SweepCommand.ReadSettings(parsed, FakeTrainer.Cells);

        Assert.Equal(["fake-gru", "fake-lstm"], settings.Grid.Cells);
        Assert.Equal([0.1f, 0.001f], settings.Grid.LearningRates);
        Assert.Equal([30, 50, 100], settings.Grid.Checkpoints);
        Assert.Equal(Shard.All, settings.Shard);
    }

    [Fact]
    public void Help_ListsEveryOption()
    {
        var run = CliHarness.Run(FakeTrainer.Cells, "sweep", "--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var option in SweepCommand.Options) Assert.Contains("--" + option.Name, run.Out);
    }
}
