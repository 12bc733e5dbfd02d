using System.Text;

namespace SimdRnn.Data;

/// <summary>
/// The characters (Unicode scalar values) a character model reads and predicts: input i and class i are
/// character i. Character 0 is always U+FFFD, which stands for every character the training text did not have,
/// so text from elsewhere can be read and scored (an unseen character costs its bits) rather than refused.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>What any character outside the vocabulary is read as: U+FFFD REPLACEMENT CHARACTER.</summary>
    public static readonly Rune Unknown = Rune.ReplacementChar;

    private readonly Rune[] characters;
    private readonly Dictionary<Rune, int> indices;

    private Vocabulary(Rune[] characters)
    {
        this.characters = characters;
        indices = new Dictionary<Rune, int>(characters.Length);
        for (int i = 0; i < characters.Length; i++) indices.Add(characters[i], i);
        Text = string.Concat(characters.Select(c => c.ToString()));
    }

    /// <summary>V: characters, U+FFFD included.</summary>
    public int Count => characters.Length;

    /// <summary>The characters in index order, as one string (how a model file stores them).</summary>
    public string Text { get; }

    public Rune this[int index] => characters[index];

    /// <summary>U+FFFD and every character of <paramref name="text"/>, in code point order.</summary>
    public static Vocabulary Of(ReadOnlySpan<Rune> text)
    {
        var seen = new HashSet<Rune> { Unknown };
        foreach (var rune in text) seen.Add(rune);
        var sorted = seen.Where(r => r != Unknown).Order().ToList();
        return new Vocabulary([Unknown, .. sorted]);
    }

    /// <summary>A vocabulary as stored by <see cref="Text"/>.</summary>
    /// <exception cref="FormatException">The text is not U+FFFD followed by at least one other character, each once, in code point order.</exception>
    public static Vocabulary FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var runes = new List<Rune>();
        foreach (var rune in text.EnumerateRunes())
        {
            // EnumerateRunes reads a lone surrogate as U+FFFD: a second U+FFFD below is refused.
            runes.Add(rune);
        }

        if (runes.Count < 2 || runes[0] != Unknown)
        {
            throw new FormatException($"expected U+FFFD and at least one more character, found {runes.Count} character(s)");
        }

        for (int i = 2; i < runes.Count; i++)
        {
            if (runes[i].Value <= runes[i - 1].Value) throw new FormatException($"expected distinct characters in code point order, found U+{runes[i].Value:X4} after U+{runes[i - 1].Value:X4}");
        }

        if (runes[1] == Unknown) throw new FormatException("expected U+FFFD once, found it twice");
        return new Vocabulary([.. runes]);
    }

    /// <summary>The index of <paramref name="character"/>, or 0 (U+FFFD) when it is not in the vocabulary.</summary>
    public int IndexOf(Rune character) => indices.GetValueOrDefault(character, 0);

    /// <summary>The indices of every character of <paramref name="text"/>.</summary>
    public int[] Encode(ReadOnlySpan<Rune> text)
    {
        var tokens = new int[text.Length];
        for (int i = 0; i < text.Length; i++) tokens[i] = IndexOf(text[i]);
        return tokens;
    }

    /// <summary>The indices of every character of <paramref name="text"/>.</summary>
    public int[] Encode(string text) => Encode(TextCorpus.Runes(text));
}
