using System.Globalization;
using System.Text;

namespace SimdRnn.Data;

/// <summary>
/// Labelled sequences from a CSV file: one sequence per row, the label first (a non-negative integer), then
/// T*I finite numbers, step by step (row t of the sequence is fields 2+t*I .. 1+(t+1)*I), or fewer: whole
/// steps of I, a sequence of that many steps (padded to T, lengths through <see cref="SequenceDataset.WithLengths"/>). Commas separate
/// fields; spaces around a field are ignored; blank lines are skipped; no header row, no quoting.
/// Every error is a <see cref="DataFormatException"/> of one line naming the file, the line and the column
/// (both counted from 1).
/// </summary>
public static class CsvDataset
{
    /// <summary>
    /// Reads <paramref name="path"/> as sequences of <paramref name="steps"/> steps of <paramref name="inputs"/>
    /// values. The classes are <paramref name="classes"/>, or one more than the largest label.
    /// </summary>
    /// <exception cref="DataFormatException">The file is empty, a row is ragged, a value is not a finite number,
    /// a label is not a non-negative integer (below <paramref name="classes"/> when given), or there are fewer than 2 classes.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static SequenceDataset Load(string path, int steps, int inputs, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(path);

        // A named pipe or device reports length 0, and opening a pipe waits for a writer forever: judged unopened.
        if (new FileInfo(path).Length == 0)
        {
            return Read(TextReader.Null, path, steps, inputs, classes);
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, steps, inputs, classes);
    }

    /// <summary>The same from a reader; <paramref name="name"/> stands for the file in messages.</summary>
    public static SequenceDataset Read(TextReader reader, string name, int steps, int inputs, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        if (classes is int c) ArgumentOutOfRangeException.ThrowIfLessThan(c, 2, nameof(classes));
        int length = checked(steps * inputs), fields = length + 1;

        var values = new List<float>();
        var labels = new List<int>();
        var lengths = new List<int>();
        int lineNumber = 0, maxLabel = -1;
        string? line;
        // A row holds at most this many characters (64 per field, far more than any number needs); a longer line
        // is refused as it is read, so a file without newlines is never gathered into one huge string.
        long maxLine = 64L * fields + 64;
        var buffer = new StringBuilder();
        while ((line = ReadLine(reader, buffer, maxLine, name, lineNumber + 1, fields)) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;

            // A shorter row is a shorter sequence: whole steps only, the rest of its T steps padded with zeros.
            int found = Count(line, ',') + 1;
            if (found > fields || found < 1 + inputs || (found - 1) % inputs != 0)
            {
                throw new DataFormatException(name,
                    $"line {lineNumber}: expected {fields} fields (a label, then {steps} steps x {inputs} inputs), or fewer steps of {inputs}, found {found}");
            }

            lengths.Add((found - 1) / inputs);
            var rest = line.AsSpan();
            for (int column = 1; column <= found; column++)
            {
                int comma = rest.IndexOf(',');
                var field = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? default : rest[(comma + 1)..];
                if (column == 1)
                {
                    int label = Label(field, name, lineNumber, classes);
                    labels.Add(label);
                    maxLabel = Math.Max(maxLabel, label);
                }
                else
                {
                    values.Add(Value(field, name, lineNumber, column));
                }
            }

            for (int padding = found; padding < fields; padding++) values.Add(0f);
        }

        if (labels.Count == 0)
        {
            throw new DataFormatException(name, lineNumber == 0
                ? $"expected rows of a label and {steps} steps x {inputs} inputs, found an empty file"
                : $"expected rows of a label and {steps} steps x {inputs} inputs, found only blank lines");
        }

        int classCount = classes ?? maxLabel + 1;
        if (classCount < 2)
        {
            throw new DataFormatException(name, $"expected labels of at least 2 classes, found only label {maxLabel} (give the class count with --classes)");
        }

        var data = new SequenceDataset(values.ToArray(), labels.ToArray(), labels.Count, steps, inputs, classCount, validate: true);
        return lengths.TrueForAll(l => l == steps) ? data : data.WithLengths(lengths.ToArray());
    }

    /// <summary>Like <see cref="TextReader.ReadLine"/> (ends at \n, \r or \r\n), but refuses a line longer than <paramref name="max"/> characters.</summary>
    private static string? ReadLine(TextReader reader, StringBuilder buffer, long max, string name, int lineNumber, int fields)
    {
        buffer.Clear();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n') return buffer.ToString();
            if (c == '\r')
            {
                if (reader.Peek() == '\n') reader.Read();
                return buffer.ToString();
            }

            if (buffer.Length == max)
            {
                throw new DataFormatException(name, $"line {lineNumber}: expected at most {max} characters ({fields} fields), found more");
            }

            buffer.Append((char)c);
        }

        return buffer.Length == 0 ? null : buffer.ToString();
    }

    private static int Label(ReadOnlySpan<char> field, string name, int line, int? classes)
    {
        if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int label))
        {
            string hint = line == 1 && !double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? " (a header row is not supported)" : "";
            throw new DataFormatException(name, $"line {line}, column 1: expected a label that is a non-negative integer, found {Quote(field)}{hint}");
        }

        if (classes is int c && label >= c)
        {
            throw new DataFormatException(name, $"line {line}, column 1: expected a label below {c} (the class count), found {label}");
        }

        return label;
    }

    private static float Value(ReadOnlySpan<char> field, string name, int line, int column)
    {
        if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
        {
            throw new DataFormatException(name, $"line {line}, column {column}: expected a number, found {Quote(field)}");
        }

        if (!float.IsFinite(value))
        {
            throw new DataFormatException(name, $"line {line}, column {column}: expected a finite number, found {Quote(field)}");
        }

        return value;
    }

    private static int Count(string line, char separator)
    {
        int count = 0;
        foreach (char c in line)
        {
            if (c == separator) count++;
        }

        return count;
    }

    private static string Quote(ReadOnlySpan<char> field) =>
        field.IsEmpty ? "an empty field" : "'" + (field.Length > 40 ? string.Concat(field[..40], "...") : field.ToString()) + "'";
}
