using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Cli;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class ProgressBarTests
{
    [Fact]
    public void Format_HalfWay()
    {
        string line = ProgressBar.Format(2, 10, new EpochProgress(30_000, 60_000, 0.3451234, 2.5), 120);

        Assert.Equal("Epoch 2/10 [###############---------------]  50%  12,000 samples/s  cost 0.345123  ETA 0:03", line);
    }

    [Fact]
    public void Format_NarrowTerminal_NarrowsTheBarThenCuts()
    {
        var progress = new EpochProgress(6_000, 60_000, 1.5, 1);

        string narrow = ProgressBar.Format(1, 10, progress, 70);
        string tiny = ProgressBar.Format(1, 10, progress, 30);

        Assert.True(narrow.Length <= 70);
        Assert.Contains("[#---------]", narrow);
        Assert.EndsWith("ETA 0:09", narrow);
        Assert.Equal(30, tiny.Length);
    }

    [Fact]
    public void Format_NoTimeYet_HasNoEta()
    {
        string line = ProgressBar.Format(1, 1, new EpochProgress(0, 100, 0, 0), 200);

        Assert.Contains("  0%", line);
        Assert.EndsWith("ETA ?", line);
    }

    [Property]
    public bool Format_NeverExceedsTheWidth_AndShowsAPercentUpToHundred(PositiveInt total, NonNegativeInt done, NonNegativeInt width, PositiveInt millis)
    {
        var progress = new EpochProgress(Math.Min(done.Get, total.Get), total.Get, 0.5, millis.Get / 1000.0);
        string wide = ProgressBar.Format(3, 7, progress, 500);
        string line = ProgressBar.Format(3, 7, progress, width.Get);
        int percent = int.Parse(wide[(wide.IndexOf(']') + 1)..wide.IndexOf('%')].Trim());
        return line.Length <= width.Get && percent is >= 0 and <= 100 && "Epoch 3/7 [".StartsWith(line[..Math.Min(line.Length, 11)], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(9.6, "0:10")]
    [InlineData(125, "2:05")]
    [InlineData(3725, "1:02:05")]
    [InlineData(-1, "?")]
    [InlineData(double.PositiveInfinity, "?")]
    [InlineData(1e12, ">99h")]
    public void Duration_Formats(double seconds, string expected)
    {
        Assert.Equal(expected, ProgressBar.Duration(seconds));
    }

    [Fact]
    public void Report_DrawsInPlace_ThrottlesAndClears()
    {
        var writer = new StringWriter();
        var bar = new ProgressBar(writer, 1, 2, 100);

        bar.Report(new EpochProgress(10, 100, 1.0, 0.1));
        bar.Report(new EpochProgress(20, 100, 0.9, 0.2));
        string drawn = writer.ToString();
        bar.Report(new EpochProgress(100, 100, 0.5, 1.0));
        bar.Clear();
        string all = writer.ToString();

        Assert.StartsWith("\rEpoch 1/2 [", drawn);
        Assert.Single(drawn.Split('\r', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("100%", all);
        Assert.EndsWith("\r", all);
        Assert.DoesNotContain('\n', all);
        Assert.Equal(new string(' ', 100), all.Split('\r', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }
}
