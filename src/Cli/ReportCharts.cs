using System.Globalization;

namespace SimdRnn.Cli;

/// <summary>
/// The report's charts: per cell, training cost and test accuracy per epoch with a line per point (colour
/// by learning rate, dash by the other options that vary); and the accuracy over learning rate x hidden units.
/// </summary>
public static class ReportCharts
{
    /// <summary>Costs above this are cut off: chance level is ln 10 = 2.3, so nothing above it is worth the room.</summary>
    public const double CostCap = 3;

    public const string SummaryFile = "summary.svg";

    private static readonly string[] Palette =
        ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

    private static readonly string?[] Dashes = [null, "8 4", "2 3", "10 3 2 3"];

    public static string CurvesFile(string cell) =>
        "curves-" + new string(cell.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()) + ".svg";

    /// <summary>The chart of one cell's points: cost and test accuracy per epoch, side by side, and a legend.</summary>
    public static string Curves(ReportModel model, string cell)
    {
        var records = model.Longest.Where(r => r.Cell == cell).OrderByDescending(r => r.LearningRate).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        var learningRates = model.Records.Select(r => r.LearningRate).Distinct().OrderDescending().ToList();
        var others = model.Records.Select(r => OtherOptions(model, r)).Distinct().Order(StringComparer.Ordinal).ToList();
        bool colourByRate = learningRates.Count > 1;
        var cost = new List<ChartSeries>();
        var accuracy = new List<ChartSeries>();
        foreach (var record in records)
        {
            int other = others.IndexOf(OtherOptions(model, record));
            string color = Palette[(colourByRate ? learningRates.IndexOf(record.LearningRate) : other) % Palette.Length];
            string? dash = Dashes[(colourByRate ? other : other / Palette.Length) % Dashes.Length];
            string label = model.Label(record);
            cost.Add(new ChartSeries(label, record.Cost, color, dash, record.IsDiverged));
            accuracy.Add(new ChartSeries(label, record.TestAccuracy, color, dash, record.IsDiverged));
        }

        int maxEpoch = Math.Max(2, records.Select(r => r.Cost.Length).DefaultIfEmpty(1).Max());
        var epochs = SvgAxis.Integers(1, maxEpoch);

        var finiteCosts = records.SelectMany(r => r.Cost).Where(double.IsFinite).DefaultIfEmpty(1).ToList();
        bool capped = finiteCosts.Max() > CostCap;
        var costAxis = SvgAxis.Nice(0, Math.Min(finiteCosts.Max(), CostCap));

        // Diverged points at chance level would squeeze the others into the top of the chart: their crosses sit on its floor.
        var learning = records.Any(r => !r.IsDiverged) ? records.Where(r => !r.IsDiverged) : records;
        double lowest = learning.SelectMany(r => r.TestAccuracy).Where(double.IsFinite).DefaultIfEmpty(0.9).Min();
        var accuracyAxis = SvgAxis.Nice(Math.Min(lowest, 0.9), 1);

        const double top = 96, plotHeight = 280, plotWidth = 340;
        double legendRows = cost.Count + 1;
        double height = Math.Max(top + plotHeight + 62, top + legendRows * 18 + 20);
        var svg = new SvgDocument(1140, height, $"{cell}: training cost and test accuracy per epoch");
        svg.Text(20, 28, $"{cell}: training cost and test accuracy per epoch, a line per point", size: 18, cssClass: "title", bold: true);
        svg.Text(20, 48, Subtitle(model, records), size: 12, cssClass: "subtitle", fill: "#555");

        SvgLineChart.Panel(svg, 80, top, plotWidth, plotHeight, "Training cost", "Epoch",
            capped ? $"Average cross-entropy (nats), cut at {CostCap}" : "Average cross-entropy (nats)",
            epochs, costAxis, v => v.ToString("0.##", CultureInfo.InvariantCulture), cost);
        SvgLineChart.Panel(svg, 520, top, plotWidth, plotHeight, "Test accuracy", "Epoch", "Test accuracy (%, 10,000 images)",
            epochs, accuracyAxis, Percent, accuracy);
        SvgLineChart.Legend(svg, 890, top, "Points (× diverged)", cost);
        return svg.ToString();
    }

    /// <summary>Final test accuracy over learning rate (rows) x hidden units (columns), a panel per cell.</summary>
    public static string Summary(ReportModel model)
    {
        var learningRates = model.Records.Select(r => r.LearningRate).Distinct().OrderDescending().ToList();
        var hiddens = model.Records.Select(r => r.Hidden).Distinct().Order().ToList();
        var panels = new List<HeatmapPanel>();
        foreach (var cell in model.Cells)
        {
            var values = new double?[learningRates.Count, hiddens.Count];
            for (int r = 0; r < learningRates.Count; r++)
            {
                for (int c = 0; c < hiddens.Count; c++)
                {
                    var runs = model.Longest.Where(x => x.Cell == cell && x.LearningRate == learningRates[r] && x.Hidden == hiddens[c]).ToList();
                    var done = runs.Where(x => !x.IsDiverged && x.FinalAccuracy is double a && double.IsFinite(a)).ToList();
                    values[r, c] = done.Count > 0 ? done.Max(x => x.FinalAccuracy) : runs.Count > 0 ? double.NaN : null;
                }
            }

            panels.Add(new HeatmapPanel(cell,
                learningRates.Select(lr => lr.ToString("R", CultureInfo.InvariantCulture)).ToList(),
                hiddens.Select(h => h.ToString(CultureInfo.InvariantCulture)).ToList(),
                values));
        }

        var over = model.Varying.Where(v => v is not ("lr" or "hidden")).ToList();
        int epochs = model.Longest.Select(r => r.Epochs).DefaultIfEmpty(0).Max();
        string subtitle = $"Final test accuracy after {epochs} epochs (or where a point stopped)" +
            (over.Count > 0 ? $", the best over {string.Join(", ", over)}" : "") +
            (model.Constant.Count > 0 ? $"; {string.Join(", ", model.Constant)}" : "");
        // Colour by the logarithm of the error rate, so that 95% and 97% look as different as 50% and 75%.
        return SvgHeatmap.Draw("Test accuracy by learning rate and hidden units", subtitle + "; colour: log of the error rate",
            "learning rate", "hidden units", "Test accuracy", panels, v => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
            v => -Math.Log(Math.Max(1 - v, 1e-4)), [0.5, 0.8, 0.9, 0.95, 0.98, 0.99]);
    }

    private static string Percent(double value) => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string OtherOptions(ReportModel model, SweepRecord record) =>
        ReportModel.Describe(record, model.Varying.Where(v => v != "lr").ToList());

    private static string Subtitle(ReportModel model, IReadOnlyList<SweepRecord> records)
    {
        var parts = new List<string>(model.Constant);
        var first = records.FirstOrDefault();
        if (first is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{first.Schedule} learning rate, {first.Optimizer}, clip {first.Clip}"));
        }

        bool others = model.Varying.Any(v => v != "lr");
        return string.Join(", ", parts) + (model.Varying.Contains("lr") ? "; colour: learning rate" + (others ? ", dash: the other options" : "") : "");
    }
}
