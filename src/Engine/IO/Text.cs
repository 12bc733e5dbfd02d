using System.Text;

namespace SimdRnn.IO;

/// <summary>Puts text read from a file into one-line messages.</summary>
internal static class Text
{
    private const int MaxQuoted = 80;

    /// <summary><c>'name'</c> with control characters escaped and long text cut, so a hostile name cannot break the line.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuoted) + 8).Append('\'');
        foreach (char c in text.Length > MaxQuoted ? text[..MaxQuoted] : text)
        {
            if (char.IsControl(c)) builder.Append($"\\u{(int)c:x4}");
            else builder.Append(c);
        }

        if (text.Length > MaxQuoted) builder.Append("...");
        return builder.Append('\'').ToString();
    }

    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
