using System.Globalization;

namespace SimdRnn.Cli;

/// <summary>One line of a chart: a value per epoch (1, 2, ...); non-finite values are left out.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<double> Values, string Color, string? Dash, bool Diverged);

/// <summary>
/// Line charts of a value per epoch: a panel with a frame, gridlines, ticks, axis titles and a line per
/// series, with a dot per epoch and an × where a diverged series stops; and a legend beside the panels.
/// </summary>
public static class SvgLineChart
{
    /// <summary>Draws one panel with its plot area at (<paramref name="x"/>, <paramref name="y"/>), <paramref name="w"/> by <paramref name="h"/>.</summary>
    public static void Panel(
        SvgDocument svg, double x, double y, double w, double h, string title, string xTitle, string yTitle,
        SvgAxis xAxis, SvgAxis yAxis, Func<double, string> yFormat, IReadOnlyList<ChartSeries> series)
    {
        svg.Text(x + w / 2, y - 12, title, size: 14, anchor: "middle", cssClass: "panel-title", bold: true);

        svg.BeginGroup("axis y-axis");
        foreach (double tick in yAxis.Ticks)
        {
            double ty = yAxis.Map(tick, y + h, y);
            svg.Line(x, ty, x + w, ty, stroke: "#e3e3e3");
            svg.Line(x - 5, ty, x, ty);
            svg.Text(x - 8, ty + 4, yFormat(tick), size: 11, anchor: "end");
        }

        svg.Text(x - 52, y + h / 2, yTitle, size: 12, anchor: "middle", cssClass: "axis-title", rotate: -90);
        svg.EndGroup();

        svg.BeginGroup("axis x-axis");
        foreach (double tick in xAxis.Ticks)
        {
            double tx = xAxis.Map(tick, x, x + w);
            svg.Line(tx, y + h, tx, y + h + 5);
            svg.Text(tx, y + h + 18, tick.ToString("0.##", CultureInfo.InvariantCulture), size: 11, anchor: "middle");
        }

        svg.Text(x + w / 2, y + h + 38, xTitle, size: 12, anchor: "middle", cssClass: "axis-title");
        svg.EndGroup();

        svg.Line(x, y + h, x + w, y + h, cssClass: "axis-line");
        svg.Line(x, y, x, y + h, cssClass: "axis-line");

        string clip = svg.ClipRect(x - 4, y - 4, w + 8, h + 8);
        foreach (var line in series)
        {
            var points = new List<(double X, double Y)>();
            for (int i = 0; i < line.Values.Count; i++)
            {
                // Values beyond the axis (a cost cut off at its cap) are drawn on its edge.
                double value = Math.Clamp(line.Values[i], yAxis.Min, yAxis.Max);
                if (double.IsFinite(line.Values[i])) points.Add((xAxis.Map(i + 1, x, x + w), yAxis.Map(value, y + h, y)));
            }

            if (points.Count == 0) continue;
            svg.Polyline(points, line.Color, dash: line.Dash, clip: clip, cssClass: "series");
            foreach (var (px, py) in points) svg.Circle(px, py, 2.5, line.Color, clip);
            if (line.Diverged) svg.Cross(points[^1].X, points[^1].Y, 5, line.Color, clip);
        }
    }

    /// <summary>A legend: a sample of each line and its label, one per row from (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static void Legend(SvgDocument svg, double x, double y, string heading, IReadOnlyList<ChartSeries> series)
    {
        svg.BeginGroup("legend");
        svg.Text(x, y, heading, size: 12, cssClass: "legend-title", bold: true);
        double row = y + 20;
        foreach (var line in series)
        {
            svg.Line(x, row - 4, x + 28, row - 4, line.Color, 2.5, line.Dash);
            if (line.Diverged) svg.Cross(x + 14, row - 4, 4, line.Color);
            svg.Text(x + 36, row, line.Label + (line.Diverged ? " (diverged)" : ""), size: 11);
            row += 18;
        }

        svg.EndGroup();
    }
}
