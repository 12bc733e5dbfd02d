using System.Text.RegularExpressions;
using SimdRnn.Cells;
using SimdRnn.Cli;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class CliAppTests
{
    private static readonly CellEntry[] Cells = [FakeCell.Lstm, FakeCell.Gru];

    public static TheoryData<string, string[]> BadOptions => new()
    {
        { "--hidden", ["--hidden", "0"] },
        { "--hidden", ["--hidden", "-3"] },
        { "--hidden", ["--hidden", "1.5"] },
        { "--hidden", ["--hidden", "many"] },
        { "--hidden", ["--hidden", "99999999999"] },
        { "--layers", ["--layers", "0"] },
        { "--batch", ["--batch=-1"] },
        { "--epochs", ["--epochs", "0"] },
        { "--threads", ["--threads", "0"] },
        { "--threads", ["--threads", "two"] },
        { "--lr", ["--lr", "0"] },
        { "--lr", ["--lr", "-0.1"] },
        { "--lr", ["--lr", "NaN"] },
        { "--lr", ["--lr", "1e99"] },
        { "--lr", ["--lr", "fast"] },
        { "--clip", ["--clip", "-1"] },
        { "--clip", ["--clip", "Infinity"] },
        { "--momentum", ["--momentum", "0"] },
        { "--momentum", ["--momentum", "1.5"] },
        { "--momentum", ["--momentum", "x"] },
        { "--optimizer", ["--optimizer", "rmsprop"] },
        { "--schedule", ["--schedule", "step"] },
        { "--seed", ["--seed", "1.5"] },
        { "--limit", ["--limit", "0"] },
        { "--limit", ["--limit", "-5"] },
        { "--cell", ["--cell", "nope"] },
        { "--hidden", ["--hidden"] },
        { "--lr", ["--lr", "--epochs", "3"] },
        { "--data", ["--data"] },
        { "--json", ["--json=yes"] },
        { "--bogus", ["--bogus", "1"] },
        { "--bogus", ["--bogus=1"] },
        { "-x", ["-x"] },
        { "stray", ["stray"] },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Train_BadOption_ExitsTwoWithOneLineNamingIt(string option, string[] args)
    {
        var run = CliHarness.Run(Cells, ["train", "--cell", "fake-lstm", .. args]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("", run.Out);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("simdrnn: ", line);
        Assert.Contains(option, line);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void Train_UnknownCell_ListsTheAvailableOnes()
    {
        var run = CliHarness.Run(Cells, "train", "--cell", "nope");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --cell must be one of fake-lstm, fake-gru, got 'nope'\n", run.Error);
    }

    [Fact]
    public void Train_ExactMessageForZeroHidden()
    {
        var run = CliHarness.Run(Cells, "train", "--cell", "fake-lstm", "--hidden", "0");

        Assert.Equal("simdrnn: --hidden must be a positive integer, got '0'\n", run.Error);
    }

    [Fact]
    public void Train_EmptyRegistry_SaysNoCellsAreRegistered()
    {
        var run = CliHarness.Run("train");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --cell 'lstm' is not available: no cells are registered\n", run.Error);
    }

    [Fact]
    public void Train_OptionsAreCheckedBeforeTheData()
    {
        string missing = Path.Combine(Path.GetTempPath(), "simdrnn-never-" + Guid.NewGuid().ToString("N"));

        var run = CliHarness.Run(Cells, "train", "--cell", "fake-gru", "--data", missing, "--epochs", "0");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.False(Directory.Exists(missing));
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("--foo")]
    [InlineData("-v")]
    public void UnknownCommandOrOption_ExitsTwo(string command)
    {
        var run = CliHarness.Run(command);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains($"'{command}'", line);
    }

    [Fact]
    public void UnknownCommand_ListsTheCommands()
    {
        var run = CliHarness.Run("fit");

        Assert.Equal($"simdrnn: unknown command 'fit'; commands: {string.Join(", ", CliApp.Commands.Select(c => c.Name))}\n", run.Error);
        Assert.Contains("train, eval, predict, inspect, sample, sweep, report, bench, cells, data, export", run.Error);
    }

    [Fact]
    public void NoArguments_ExitsTwoPointingAtHelp()
    {
        var run = CliHarness.Run();

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--help", Assert.Single(run.ErrorLines));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help_ListsEveryCommand(string flag)
    {
        var run = CliHarness.Run(flag);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Contains("Usage: simdrnn <command>", run.Out);
        foreach (var command in new[] { "train", "cells", "data", "--version" }) Assert.Contains(command, run.Out);
    }

    [Theory]
    [InlineData("train", "--epochs N")]
    [InlineData("cells", "simdrnn cells")]
    [InlineData("data", "fetch")]
    public void CommandHelp_PrintsItsUsage(string command, string expected)
    {
        var viaFlag = CliHarness.Run(command, "--help");
        var viaHelp = CliHarness.Run("help", command);

        Assert.Equal(ExitCodes.Success, viaFlag.ExitCode);
        Assert.StartsWith($"Usage: simdrnn {command}", viaFlag.Out);
        Assert.Contains(expected, viaFlag.Out);
        Assert.Equal(viaFlag.Out, viaHelp.Out);
    }

    [Fact]
    public void TrainHelp_WinsOverBadOptionsAndShowsEveryDefault()
    {
        var run = CliHarness.Run("train", "--hidden", "0", "--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var option in TrainCommand.Options) Assert.Contains($"--{option.Name}", run.Out);
        Assert.Contains("(default: lstm)", run.Out);
        Assert.Contains("(default: 0.001)", run.Out);
    }

    [Fact]
    public void Version_NamesTheSimdPath()
    {
        var run = CliHarness.Run("--version");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches(new Regex(@"^simdrnn \d+\.\d+\.\d+\S* \((Vector512|Vector256|Scalar)\)\n$"), run.Out);
        Assert.Contains($"({SimdRnn.Kernels.Simd.Path})", run.Out);
    }

    [Fact]
    public void Data_WithoutSubcommand_ExitsTwo()
    {
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("data").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("data", "download").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("data", "path", "extra").ExitCode);
    }

    [Fact]
    public void DataPath_PrintsTheGivenDirectoryInFull()
    {
        var run = CliHarness.Run("data", "path", "--data", "some/dir");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(Path.GetFullPath("some/dir") + "\n", run.Out);
    }

    [Fact]
    public void Train_MalformedIdx_ExitsOneNamingTheFile()
    {
        string directory = Idx.WriteMnist(3, 2);
        File.WriteAllBytes(Path.Combine(directory, "train-images-idx3-ubyte"), [1, 2, 3, 4, 5]);

        var run = CliHarness.Run(Cells, "train", "--cell", "fake-lstm", "--data", directory);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains(Path.Combine(directory, "train-images-idx3-ubyte"), line);
        Assert.StartsWith("simdrnn: ", line);
    }

    [Fact]
    public void DataFetch_MalformedIdx_ExitsOne()
    {
        string directory = Idx.WriteMnist(3, 2);
        File.WriteAllBytes(Path.Combine(directory, "t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 9]);

        var run = CliHarness.Run("data", "fetch", "--data", directory);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("t10k-labels-idx1-ubyte", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void DataFetch_DataAlreadyThere_PrintsTheDirectory()
    {
        string directory = Idx.WriteMnist(3, 2);

        var run = CliHarness.Run("data", "fetch", "--data", directory);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(directory + "\n", run.Out);
        Assert.Contains("3 training and 2 test images", run.Error);
    }

    [Fact]
    public void Train_UnexpectedException_IsOneLineWithoutStackTrace()
    {
        string directory = Idx.WriteMnist(3, 2);

        var run = CliHarness.Run(Cells, "train", "--cell", "fake-lstm", "--data", directory);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("simdrnn: error: fake cells have no layers\n", run.Error);
        Assert.Equal("", run.Out);
    }
}
