using System.Xml.Linq;
using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using Xunit;

namespace SimdRnn.Tests.Sweep;

/// <summary><c>simdrnn report</c> from a fixture results file: the table, the charts, merging and errors.</summary>
public sealed class ReportTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static CliRun Report(params string[] args) => CliHarness.Run(["report", .. args]);

    private static ReportModel Model() =>
        new(SweepResults.Parse(System.Text.Encoding.UTF8.GetBytes(ReportFixture.Results + "\n" + ReportFixture.Torn), "fixture").Records);

    [Fact]
    public void Fixture_ParsesTenRecords_AndIgnoresTheTornLine()
    {
        var contents = SweepResults.Parse(System.Text.Encoding.UTF8.GetBytes(ReportFixture.Results + "\n" + ReportFixture.Torn), "fixture");

        Assert.Equal(10, contents.Records.Count);
        Assert.Equal("fixture: ignoring line 11, a torn last line (109 bytes without a newline) left by an interrupted sweep", Assert.Single(contents.Ignored));
    }

    [Fact]
    public void Table_HasAPointPerRowBestFirst_AccuracyPerEpochCount_DivergedLastAndMarked()
    {
        var lines = ReportMarkdown.Table(Model()).Split('\n');
        var rows = lines[2..];

        Assert.Equal(
            "| rank | cell | lr | batch | hidden | layers | seed | limit | accuracy, 1 epoch | accuracy, 3 epochs | last cost | train time | samples/s | status |",
            lines[0]);
        Assert.Equal(
            ["1 lstm 0.01", "2 rnn 0.001", "3 lstm 0.001", "– lstm 0.1", "– rnn 0.01"],
            rows.Select(r => r.Split('|', StringSplitOptions.TrimEntries)).Select(c => $"{c[1]} {c[2]} {c[3]}"));
        Assert.Equal("| 1 | lstm | 0.01 | 128 | 128 | 1 | 1 | 1,000 | 0.8500 | 0.9700 | 0.2000 | 7.5 s | 400 | done |", rows[0]);
        Assert.Equal(
            "| – | lstm | 0.1 | 128 | 256 | 1 | 1 | 1,000 | diverged | diverged | 3.8000 | 2.5 s | 400 | " +
            "**diverged**: test accuracy 0.1032 is at chance level (0.10) after epoch 1: the network is not learning. |",
            rows[3]);
        Assert.Equal("| – | rnn | 0.01 | 128 | 128 | 1 | 1 | 1,000 | 0.6400 | diverged | 1.1000 | 2.5 s | 400 | **diverged**: the loss became NaN in epoch 2. |", rows[4]);
    }

    [Fact]
    public void Command_WritesTheReportAndChartsIntoTheDirectory()
    {
        string directory = ReportFixture.Write(Idx.TempDirectory());

        var run = Report(directory);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            ["report.md", "curves-lstm.svg", "curves-rnn.svg", "summary.svg"],
            run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFileName));
        Assert.Contains("ignoring line 11, a torn last line", Assert.Single(run.ErrorLines));
        string markdown = File.ReadAllText(Path.Combine(directory, "report.md"));
        Assert.Contains("10 records of 5 points", markdown);
        Assert.Contains("3 diverged", markdown);
        Assert.Contains("Best record: lstm, lr 0.01, batch 128, hidden 128, layers 1, seed 1, 3 epochs, test accuracy 0.9700.", markdown);
        Assert.Contains("![lstm: cost and test accuracy per epoch](curves-lstm.svg)", markdown);
        Assert.Contains("(summary.svg)", markdown);
    }

    [Fact]
    public void CurvesChart_IsWellFormedSvg_WithTitleAxesLegendAndALinePerPoint()
    {
        var svg = XDocument.Parse(ReportCharts.Curves(Model(), "lstm"));

        Assert.Equal(Svg + "svg", svg.Root!.Name);
        Assert.Contains("lstm", svg.Root.Element(Svg + "title")!.Value);
        Assert.Contains("lstm: training cost and test accuracy per epoch", Texts(svg, "title").Single());
        Assert.Equal(["Training cost", "Test accuracy"], Texts(svg, "panel-title"));
        Assert.Equal(["Average cross-entropy (nats), cut at 3", "Epoch", "Test accuracy (%, 10,000 images)", "Epoch"], Texts(svg, "axis-title"));
        Assert.Equal(2, Classed(svg, "axis x-axis").Count());
        var legend = Assert.Single(Classed(svg, "legend"));
        Assert.Equal(
            ["Points (× diverged)", "lr 0.1, hidden 256 (diverged)", "lr 0.01, hidden 128", "lr 0.001, hidden 128"],
            legend.Elements(Svg + "text").Select(t => t.Value));
        Assert.Equal(2 * 3, Classed(svg, "series").Count());
    }

    [Fact]
    public void SummaryChart_ShowsAccuracyOverLearningRateAndHiddenUnits_DivergedMarked()
    {
        var svg = XDocument.Parse(ReportCharts.Summary(Model()));

        Assert.Equal("Test accuracy by learning rate and hidden units", Texts(svg, "title").Single());
        Assert.Equal(["lstm", "rnn"], Texts(svg, "panel-title"));
        var values = Classed(svg, "value").Select(r => r.Element(Svg + "title")!.Value).ToList();
        Assert.Contains("lstm, learning rate 0.01, hidden units 128: 97.0%", values);
        Assert.Contains("rnn, learning rate 0.001, hidden units 256: 95.0%", values);
        var diverged = Classed(svg, "diverged").Select(r => r.Element(Svg + "title")!.Value).ToList();
        Assert.Equal(["lstm, learning rate 0.1, hidden units 256: diverged", "rnn, learning rate 0.01, hidden units 128: diverged"], diverged);
        Assert.Single(Classed(svg, "legend"));
    }

    [Fact]
    public void SeveralDirectories_MergeByKey()
    {
        string first = ReportFixture.Write(Idx.TempDirectory());
        string second = Idx.TempDirectory();
        var lines = ReportFixture.Results.Split('\n');
        File.WriteAllText(Path.Combine(second, SweepResults.FileName), string.Join("\n", lines[..2]) + "\n");
        string output = Path.Combine(Idx.TempDirectory(), "merged");

        var run = Report(first, second, "--out", output);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("2 record(s) appear more than once; the last one read is kept", run.Error);
        Assert.Contains("10 records of 5 points", File.ReadAllText(Path.Combine(output, "report.md")));
    }

    [Fact]
    public void MissingDirectory_ExitsTwo()
    {
        string missing = Path.Combine(Idx.TempDirectory(), "nothing-here");

        var run = Report(missing);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"simdrnn: '{missing}' is neither a sweep directory nor a results file", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void DirectoryWithoutResults_ExitsTwo()
    {
        string empty = Idx.TempDirectory();

        var run = Report(empty);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith($"simdrnn: '{empty}' has no results.jsonl", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void NoDirectory_ExitsTwo()
    {
        Assert.Equal(ExitCodes.Usage, Report().ExitCode);
    }

    [Fact]
    public void Axis_NiceTicksCoverTheRange()
    {
        var axis = SvgAxis.Nice(0.13, 0.97);

        Assert.Equal(0, axis.Min, 1e-12);
        Assert.Equal(1, axis.Max, 1e-12);
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1], axis.Ticks.Select(t => Math.Round(t, 12)));
        Assert.Equal([1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], SvgAxis.Integers(1, 100).Ticks);
        Assert.Equal([1, 2, 3, 4, 5], SvgAxis.Integers(1, 5).Ticks);
    }

    [Fact]
    public void Text_IsEscaped()
    {
        var svg = new SvgDocument(10, 10, "a < b & \"c\"");
        svg.Text(1, 1, "<lstm & gru>");

        var document = XDocument.Parse(svg.ToString());

        Assert.Equal("<lstm & gru>", document.Root!.Element(Svg + "text")!.Value);
    }

    private static IEnumerable<XElement> Classed(XDocument svg, string cssClass) =>
        svg.Descendants().Where(e => (string?)e.Attribute("class") == cssClass);

    private static List<string> Texts(XDocument svg, string cssClass) => Classed(svg, cssClass).Select(e => e.Value).ToList();
}
