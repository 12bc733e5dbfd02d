using SimdRnn.Cli;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class CommandLineParserTests
{
    private static readonly OptionSpec[] Options =
    [
        new("hidden", "N", "Hidden units"),
        new("lr", "RATE", "Learning rate"),
        new("json", null, "JSON"),
    ];

    [Fact]
    public void Parse_SpaceAndEqualsForms()
    {
        var parsed = CommandLineParser.Parse("train", ["--hidden", "64", "--lr=0.01", "--json"], Options);

        Assert.Equal(64, parsed.PositiveInt("hidden", 1));
        Assert.Equal(0.01f, parsed.PositiveNumber("lr", 1));
        Assert.True(parsed.Has("json"));
        Assert.False(parsed.Help);
    }

    [Fact]
    public void Parse_AbsentOptions_GiveTheFallback()
    {
        var parsed = CommandLineParser.Parse("train", [], Options);

        Assert.Equal(128, parsed.PositiveInt("hidden", 128));
        Assert.False(parsed.Has("json"));
        Assert.Null(parsed.Raw("lr"));
    }

    [Fact]
    public void Parse_LastValueWins()
    {
        var parsed = CommandLineParser.Parse("train", ["--hidden", "8", "--hidden", "16"], Options);

        Assert.Equal(16, parsed.PositiveInt("hidden", 1));
    }

    [Fact]
    public void Parse_NegativeNumberIsAValue_AndFailsTheRangeCheck()
    {
        var parsed = CommandLineParser.Parse("train", ["--hidden", "-1"], Options);

        var error = Assert.Throws<UsageException>(() => parsed.PositiveInt("hidden", 1));
        Assert.Equal("--hidden must be a positive integer, got '-1'", error.Message);
    }

    [Fact]
    public void Parse_OptionAsValue_IsAMissingValue()
    {
        var error = Assert.Throws<UsageException>(() => CommandLineParser.Parse("train", ["--lr", "--json"], Options));

        Assert.Equal("--lr needs a value (RATE)", error.Message);
    }

    [Fact]
    public void Parse_EmptyInlineValue_FailsTheTypeCheck()
    {
        var parsed = CommandLineParser.Parse("train", ["--lr="], Options);

        Assert.Throws<UsageException>(() => parsed.PositiveNumber("lr", 1));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Parse_HelpAnywhere(string flag)
    {
        Assert.True(CommandLineParser.Parse("train", ["--hidden", "3", flag], Options).Help);
    }

    [Fact]
    public void Parse_Positionals_UpToTheLimit()
    {
        var parsed = CommandLineParser.Parse("data", ["fetch", "--hidden", "2"], Options, maxPositionals: 1);

        Assert.Equal(["fetch"], parsed.Positionals);
        Assert.Throws<UsageException>(() => CommandLineParser.Parse("data", ["fetch", "path"], Options, maxPositionals: 1));
    }

    [Fact]
    public void Parse_SingleDashLongName_IsUnknown()
    {
        var error = Assert.Throws<UsageException>(() => CommandLineParser.Parse("train", ["-hidden", "3"], Options));

        Assert.StartsWith("unknown option '-hidden' for 'train'", error.Message);
    }

    [Theory]
    [InlineData("1e-3", 0.001f)]
    [InlineData("0.5", 0.5f)]
    [InlineData(".25", 0.25f)]
    public void PositiveNumber_AcceptsInvariantForms(string raw, float expected)
    {
        Assert.Equal(expected, CommandLineParser.Parse("train", ["--lr", raw], Options).PositiveNumber("lr", 1));
    }

    [Fact]
    public void Choice_IgnoresCase_AndListsTheChoicesWhenWrong()
    {
        (string, int)[] choices = [("adam", 1), ("sgd", 2)];

        Assert.Equal(2, CommandLineParser.Parse("train", ["--lr", "SGD"], Options).Choice("lr", 0, choices));
        var error = Assert.Throws<UsageException>(() => CommandLineParser.Parse("train", ["--lr", "rms"], Options).Choice("lr", 0, choices));
        Assert.Equal("--lr must be one of adam, sgd, got 'rms'", error.Message);
    }

    [Fact]
    public void Usage_AlignsTheDescriptions()
    {
        string usage = CommandLineParser.Usage("simdrnn train [options]", "Trains.", Options);
        var lines = usage.Split('\n').Where(l => l.StartsWith("  -", StringComparison.Ordinal)).ToArray();

        Assert.Equal(4, lines.Length);
        int column = lines[0].IndexOf("Hidden", StringComparison.Ordinal);
        Assert.Equal(column, lines[1].IndexOf("Learning", StringComparison.Ordinal));
        Assert.Equal(column, lines[3].IndexOf("Show this help", StringComparison.Ordinal));
    }
}
