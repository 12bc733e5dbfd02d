using System.Text;

namespace SimdRnn.Generators;

/// <summary>Writes lines at the current indentation (four spaces a level); multi-line text is indented line by line.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder builder = new();
    private int depth;

    public IndentedWriter Line(string text = "")
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length > 0)
            {
                builder.Append(' ', depth * 4).Append(line);
            }

            builder.Append('\n');
        }

        return this;
    }

    public IndentedWriter Open(string header)
    {
        Line(header);
        Line("{");
        depth++;
        return this;
    }

    public IndentedWriter Close(string suffix = "")
    {
        depth--;
        Line("}" + suffix);
        return this;
    }

    public override string ToString() => builder.ToString();
}
