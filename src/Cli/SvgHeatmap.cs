namespace SimdRnn.Cli;

/// <summary>One heatmap: a value per (row, column), null where there is none, NaN where every run diverged.</summary>
public sealed record HeatmapPanel(string Title, IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, double?[,] Values);

/// <summary>
/// The colour scale of a heatmap: values from <see cref="Low"/> to <see cref="High"/> through a monotonic
/// <see cref="Transform"/> (identity for a linear scale) to a position in [0, 1].
/// </summary>
public sealed record HeatmapScale(double Low, double High, Func<double, double> Transform)
{
    public double Position(double value) => Math.Clamp((Transform(value) - Transform(Low)) / (Transform(High) - Transform(Low)), 0, 1);
}

/// <summary>
/// Heatmaps side by side on one colour scale, each square labelled with its value, and a colour bar.
/// Light is low, dark blue is high; diverged squares are grey with the word; missing ones are blank.
/// </summary>
public static class SvgHeatmap
{
    private const double CellWidth = 96, CellHeight = 46, Gap = 100, Left = 110, Top = 116;
    private const string DivergedColor = "#c9c9c9";

    /// <param name="transform">Maps values to the colour scale, e.g. a logarithm to tell 95% from 97% apart; linear when null.</param>
    /// <param name="ticks">Values to mark on the colour bar besides its ends.</param>
    public static string Draw(string title, string subtitle, string rowTitle, string columnTitle, string valueTitle,
        IReadOnlyList<HeatmapPanel> panels, Func<double, string> format, Func<double, double>? transform = null, IReadOnlyList<double>? ticks = null)
    {
        var finite = panels.SelectMany(p => p.Values.Cast<double?>()).Where(v => v is double d && double.IsFinite(d)).Select(v => v!.Value).ToList();
        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        if (hi - lo < 1e-9) lo = hi - 0.01;
        var scale = new HeatmapScale(lo, hi, transform ?? (v => v));

        double panelsWidth = panels.Sum(p => p.Columns.Count * CellWidth + Gap);
        int rows = panels.Count == 0 ? 1 : panels.Max(p => p.Rows.Count);
        double width = Math.Max(Left + panelsWidth + 150, 560), height = Top + rows * CellHeight + 50;
        var svg = new SvgDocument(width, height, title);
        svg.Text(20, 28, title, size: 18, cssClass: "title", bold: true);
        svg.Text(20, 48, subtitle, size: 12, cssClass: "subtitle", fill: "#555");

        double x = Left;
        foreach (var panel in panels)
        {
            DrawPanel(svg, x, panel, rowTitle, columnTitle, scale, format);
            x += panel.Columns.Count * CellWidth + Gap;
        }

        ColorBar(svg, x + 10, Top, rows * CellHeight, valueTitle, scale, ticks ?? [], format);
        return svg.ToString();
    }

    /// <summary>The colour of <paramref name="t"/> in [0, 1], from pale to dark blue.</summary>
    public static string Color(double t)
    {
        (int R, int G, int B) low = (239, 246, 255), high = (8, 48, 107);
        t = Math.Clamp(t, 0, 1);
        int Mix(int a, int b) => (int)Math.Round(a + (b - a) * t);
        return $"#{Mix(low.R, high.R):x2}{Mix(low.G, high.G):x2}{Mix(low.B, high.B):x2}";
    }

    private static void DrawPanel(SvgDocument svg, double x, HeatmapPanel panel, string rowTitle, string columnTitle, HeatmapScale scale, Func<double, string> format)
    {
        double w = panel.Columns.Count * CellWidth, h = panel.Rows.Count * CellHeight;
        svg.Text(x + w / 2, Top - 34, panel.Title, size: 14, anchor: "middle", cssClass: "panel-title", bold: true);

        svg.BeginGroup("axis");
        svg.Text(x + w / 2, Top - 16, columnTitle, size: 11, anchor: "middle", cssClass: "axis-title", fill: "#555");
        for (int c = 0; c < panel.Columns.Count; c++)
        {
            svg.Text(x + (c + 0.5) * CellWidth, Top - 3, panel.Columns[c], size: 12, anchor: "middle");
        }

        svg.Text(x - 8, Top - 3, rowTitle, size: 11, anchor: "end", cssClass: "axis-title", fill: "#555");
        for (int r = 0; r < panel.Rows.Count; r++)
        {
            svg.Text(x - 8, Top + (r + 0.5) * CellHeight + 4, panel.Rows[r], size: 12, anchor: "end");
        }

        svg.EndGroup();

        for (int r = 0; r < panel.Rows.Count; r++)
        {
            for (int c = 0; c < panel.Columns.Count; c++)
            {
                double cx = x + c * CellWidth, cy = Top + r * CellHeight;
                string where = $"{panel.Title}, {rowTitle} {panel.Rows[r]}, {columnTitle} {panel.Columns[c]}";
                switch (panel.Values[r, c])
                {
                    case null:
                        svg.Rect(cx, cy, CellWidth, CellHeight, "white", "#ddd", "missing", where + ": not run");
                        svg.Text(cx + CellWidth / 2, cy + CellHeight / 2 + 4, "not run", size: 11, anchor: "middle", fill: "#999");
                        break;
                    case double v when !double.IsFinite(v):
                        svg.Rect(cx, cy, CellWidth, CellHeight, DivergedColor, "white", "diverged", where + ": diverged");
                        svg.Text(cx + CellWidth / 2, cy + CellHeight / 2 + 4, "diverged", size: 12, anchor: "middle", fill: "#333");
                        break;
                    case double v:
                        double t = scale.Position(v);
                        svg.Rect(cx, cy, CellWidth, CellHeight, Color(t), "white", "value", where + ": " + format(v));
                        svg.Text(cx + CellWidth / 2, cy + CellHeight / 2 + 5, format(v), size: 13, anchor: "middle", bold: true, fill: t > 0.5 ? "white" : "#111");
                        break;
                }
            }
        }
    }

    private static void ColorBar(SvgDocument svg, double x, double y, double h, string valueTitle, HeatmapScale scale, IReadOnlyList<double> ticks, Func<double, string> format)
    {
        const int Steps = 24;
        const double BarWidth = 18;
        svg.BeginGroup("legend");
        svg.Text(x, y - 16, valueTitle, size: 11, cssClass: "legend-title", bold: true);
        for (int i = 0; i < Steps; i++)
        {
            double t = 1 - (i + 0.5) / Steps;
            svg.Rect(x, y + i * h / Steps, BarWidth, h / Steps + 0.5, Color(t));
        }

        svg.Text(x + BarWidth + 6, y + 10, format(scale.High), size: 11);
        svg.Text(x + BarWidth + 6, y + h, format(scale.Low), size: 11);
        foreach (double tick in ticks)
        {
            double ty = y + h * (1 - scale.Position(tick));
            if (ty < y + 22 || ty > y + h - 14) continue;   // would overlap the labels of the ends
            svg.Line(x + BarWidth, ty, x + BarWidth + 4, ty);
            svg.Text(x + BarWidth + 6, ty + 4, format(tick), size: 11);
        }

        svg.Rect(x, y + h + 14, BarWidth, 14, DivergedColor);
        svg.Text(x + BarWidth + 6, y + h + 25, "diverged", size: 11);
        svg.EndGroup();
    }
}
