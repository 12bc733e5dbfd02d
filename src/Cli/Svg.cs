using System.Globalization;
using System.Security;
using System.Text;

namespace SimdRnn.Cli;

/// <summary>
/// A hand-written SVG document: shapes and text appended in drawing order, numbers in invariant culture,
/// text escaped. Elements carry a <c>class</c> (<c>title</c>, <c>axis</c>, <c>legend</c>, ...) so that tests
/// and style sheets can find them.
/// </summary>
public sealed class SvgDocument(double width, double height, string title)
{
    public const string Font = "font-family=\"Helvetica, Arial, sans-serif\"";

    private readonly StringBuilder body = new();
    private int clips;

    public double Width => width;

    public double Height => height;

    public void Text(double x, double y, string text, double size = 12, string anchor = "start", string? cssClass = null,
        bool bold = false, double rotate = 0, string fill = "#222")
    {
        body.Append(Invariant($"<text x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"{size:0.#}\" text-anchor=\"{anchor}\" fill=\"{fill}\""));
        if (bold) body.Append(" font-weight=\"bold\"");
        if (rotate != 0) body.Append(Invariant($" transform=\"rotate({rotate:0.#} {x:0.#} {y:0.#})\""));
        Class(cssClass);
        body.Append('>').Append(Escape(text)).AppendLine("</text>");
    }

    public void Line(double x1, double y1, double x2, double y2, string stroke = "#222", double strokeWidth = 1, string? dash = null, string? cssClass = null)
    {
        body.Append(Invariant($"<line x1=\"{x1:0.##}\" y1=\"{y1:0.##}\" x2=\"{x2:0.##}\" y2=\"{y2:0.##}\" stroke=\"{stroke}\" stroke-width=\"{strokeWidth:0.##}\""));
        Dash(dash);
        Class(cssClass);
        body.AppendLine("/>");
    }

    public void Rect(double x, double y, double w, double h, string fill, string? stroke = null, string? cssClass = null, string? tooltip = null)
    {
        body.Append(Invariant($"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{w:0.##}\" height=\"{h:0.##}\" fill=\"{fill}\""));
        if (stroke is not null) body.Append(Invariant($" stroke=\"{stroke}\""));
        Class(cssClass);
        if (tooltip is null)
        {
            body.AppendLine("/>");
        }
        else
        {
            body.Append("><title>").Append(Escape(tooltip)).AppendLine("</title></rect>");
        }
    }

    public void Polyline(IReadOnlyList<(double X, double Y)> points, string stroke, double strokeWidth = 2, string? dash = null, string? clip = null, string? cssClass = null)
    {
        body.Append("<polyline points=\"");
        body.AppendJoin(' ', points.Select(p => Invariant($"{p.X:0.##},{p.Y:0.##}")));
        body.Append(Invariant($"\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{strokeWidth:0.##}\" stroke-linejoin=\"round\""));
        Dash(dash);
        if (clip is not null) body.Append(" clip-path=\"url(#").Append(clip).Append(")\"");
        Class(cssClass);
        body.AppendLine("/>");
    }

    public void Circle(double x, double y, double r, string fill, string? clip = null)
    {
        body.Append(Invariant($"<circle cx=\"{x:0.##}\" cy=\"{y:0.##}\" r=\"{r:0.##}\" fill=\"{fill}\""));
        if (clip is not null) body.Append(" clip-path=\"url(#").Append(clip).Append(")\"");
        body.AppendLine("/>");
    }

    /// <summary>An × centred on (x, y): where a diverged point's line stops.</summary>
    public void Cross(double x, double y, double size, string stroke, string? clip = null)
    {
        body.Append(Invariant($"<path d=\"M{x - size:0.##},{y - size:0.##} L{x + size:0.##},{y + size:0.##} M{x - size:0.##},{y + size:0.##} L{x + size:0.##},{y - size:0.##}\" stroke=\"{stroke}\" stroke-width=\"2\""));
        if (clip is not null) body.Append(" clip-path=\"url(#").Append(clip).Append(")\"");
        body.AppendLine("/>");
    }

    /// <summary>A clip rectangle; returns its id for <c>clip</c> arguments.</summary>
    public string ClipRect(double x, double y, double w, double h)
    {
        string id = "clip" + (++clips).ToString(CultureInfo.InvariantCulture);
        body.Append(Invariant($"<clipPath id=\"{id}\"><rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{w:0.##}\" height=\"{h:0.##}\"/></clipPath>")).AppendLine();
        return id;
    }

    /// <summary>Starts a group, e.g. the legend; end it with <see cref="EndGroup"/>.</summary>
    public void BeginGroup(string cssClass) => body.Append("<g class=\"").Append(Escape(cssClass)).AppendLine("\">");

    public void EndGroup() => body.AppendLine("</g>");

    public override string ToString() =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
        Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" {Font}>\n") +
        $"<title>{Escape(title)}</title>\n" +
        Invariant($"<rect width=\"{width:0}\" height=\"{height:0}\" fill=\"white\"/>\n") +
        body +
        "</svg>\n";

    public static string Escape(string text) => SecurityElement.Escape(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private void Dash(string? dash)
    {
        if (dash is not null) body.Append(" stroke-dasharray=\"").Append(dash).Append('"');
    }

    private void Class(string? cssClass)
    {
        if (cssClass is not null) body.Append(" class=\"").Append(Escape(cssClass)).Append('"');
    }
}

/// <summary>An axis: a range rounded out to "nice" numbers (1, 2 or 5 times a power of ten) and its ticks.</summary>
public sealed record SvgAxis(double Min, double Max, IReadOnlyList<double> Ticks)
{
    /// <summary>About <paramref name="count"/> ticks covering [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static SvgAxis Nice(double min, double max, int count = 5)
    {
        if (!(max > min)) max = min + 1;
        double step = NiceStep((max - min) / Math.Max(1, count));
        double lo = Math.Floor(min / step + 1e-9) * step, hi = Math.Ceiling(max / step - 1e-9) * step;
        var ticks = new List<double>();
        for (double t = lo; t <= hi + step * 1e-6; t += step) ticks.Add(Math.Round(t / step) * step);
        return new SvgAxis(lo, hi, ticks);
    }

    /// <summary>Integer ticks from <paramref name="first"/> to <paramref name="last"/> (epochs), at most about ten.</summary>
    public static SvgAxis Integers(int first, int last)
    {
        if (last <= first) last = first + 1;
        int step = Math.Max(1, (int)NiceStep((last - first) / 10.0 * 1.0001));
        var ticks = new List<double> { first };
        for (int t = (first / step + 1) * step; t <= last; t += step) ticks.Add(t);
        return new SvgAxis(first, last, ticks);
    }

    /// <summary>The position of <paramref name="value"/> between <paramref name="from"/> (at Min) and <paramref name="to"/> (at Max).</summary>
    public double Map(double value, double from, double to) => from + (value - Min) / (Max - Min) * (to - from);

    private static double NiceStep(double raw)
    {
        if (!(raw > 0)) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }
}
