using System.Text;

namespace SimdRnn.Data;

/// <summary>
/// Plain UTF-8 text for a character-level language model: the text is cut into windows of T characters, each
/// read as T one-hot steps over the <see cref="Vocabulary"/>, with the next character at every step as its label
/// (a <see cref="Model.HeadKind.Tag"/> head). Windows do not overlap; the last characters that do not fill a
/// window are left out.
/// </summary>
public static class TextCorpus
{
    /// <summary>The largest text read: 256 MiB (four bytes per character in memory, twice).</summary>
    public const long MaxBytes = 256L << 20;

    /// <summary>Reads <paramref name="path"/> as UTF-8 (a byte order mark is skipped) into characters.</summary>
    /// <exception cref="DataFormatException">The file is larger than <see cref="MaxBytes"/>, empty, or not valid UTF-8 (naming the byte offset).</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static Rune[] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);

        // A named pipe or device reports length 0 (and a pipe would wait for a writer forever): judged empty.
        if (info.Length == 0) throw new DataFormatException(path, "expected text, found an empty file (or a pipe or device)");
        if (info.Length > MaxBytes) throw new DataFormatException(path, $"expected at most {MaxBytes >> 20} MiB of text, found {info.Length:N0} bytes");

        var bytes = File.ReadAllBytes(path);
        return Decode(bytes, path);
    }

    /// <summary>Decodes UTF-8 <paramref name="bytes"/>; <paramref name="name"/> names the source in errors.</summary>
    public static Rune[] Decode(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        var runes = new List<Rune>(bytes.Length);
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out var rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                throw new DataFormatException(name, $"expected UTF-8 text, found an invalid byte sequence at byte {offset:N0} (0x{bytes[offset]:X2})");
            }

            runes.Add(rune);
            offset += consumed;
        }

        if (runes.Count == 0) throw new DataFormatException(name, "expected text, found none");
        return [.. runes];
    }

    /// <summary>The characters of <paramref name="text"/> (a lone surrogate reads as U+FFFD).</summary>
    public static Rune[] Runes(string text) => [.. text.EnumerateRunes()];

    /// <summary>
    /// Windows of <paramref name="steps"/> characters of <paramref name="text"/> over <paramref name="vocabulary"/>:
    /// window w reads characters [w*T, (w+1)*T) and is labelled, step by step, with [w*T + 1, (w+1)*T + 1).
    /// </summary>
    /// <exception cref="DataFormatException">The text is too short for one window (<paramref name="steps"/> + 1 characters).</exception>
    public static SequenceDataset Windows(ReadOnlySpan<Rune> text, Vocabulary vocabulary, int steps, string name)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        long windows = (text.Length - 1L) / steps;
        if (windows < 1)
        {
            throw new DataFormatException(name, $"expected at least {steps + 1L} characters for one window of --steps {steps}, found {text.Length}");
        }

        int count = (int)windows, length = count * steps;
        var tokens = vocabulary.Encode(text[..(length + 1)]);
        var inputs = tokens.AsSpan(0, length).ToArray();
        var next = tokens.AsSpan(1, length).ToArray();
        return SequenceDataset.FromTokens(inputs, next, count, steps, vocabulary.Count);
    }
}
