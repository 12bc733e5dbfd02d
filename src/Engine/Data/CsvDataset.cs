using System.Globalization;
using System.Text;
using SimdRnn.Model;

namespace SimdRnn.Data;

/// <summary>How a CSV file lays out its sequences.</summary>
public enum CsvLayout
{
    /// <summary>One row per sequence: its targets first, then T*I values, step by step.</summary>
    Wide,

    /// <summary>One row per time step under a header row: a sequence-id column, target column(s) and input columns.</summary>
    Long,
}

/// <summary>
/// What a CSV file holds and how to read it. <see cref="Task"/> says what the targets are: a label per sequence
/// (classify), a label per step (tag), K numbers per sequence (regress) or K numbers per step (regress-steps).
/// </summary>
public sealed record CsvFormat
{
    public HeadKind Task { get; init; } = HeadKind.Classify;

    public CsvLayout Layout { get; init; } = CsvLayout.Wide;

    /// <summary>T: steps per sequence; required for the wide layout, counted from the rows in the long layout when null.</summary>
    public int? Steps { get; init; }

    /// <summary>I: values per step; required for the wide layout, the input columns in the long layout when null.</summary>
    public int? Inputs { get; init; }

    /// <summary>K: numbers per prediction for the regression tasks (1 by default).</summary>
    public int Targets { get; init; } = 1;

    /// <summary>Classes of a classifying task; one more than the largest label when null.</summary>
    public int? Classes { get; init; }

    /// <summary>Long layout: the column naming each row's sequence (rows of one sequence are consecutive, in step order).</summary>
    public string IdColumn { get; init; } = "sequence";

    /// <summary>Long layout: the target column(s); <c>label</c> for classifying tasks, <c>target</c> for regression when null.</summary>
    public IReadOnlyList<string>? TargetColumns { get; init; }

    /// <summary>Long layout: the input columns, in order; every other column when null.</summary>
    public IReadOnlyList<string>? InputColumns { get; init; }

    /// <summary>
    /// Wide layout: rows hold only the T*I inputs, no targets (sequences to predict). The data set then has
    /// <see cref="Task"/>'s targets, all zero, since a <see cref="SequenceDataset"/> always has targets.
    /// </summary>
    public bool InputsOnly { get; init; }

    /// <summary>The head a data set of this format trains, once its classes are known.</summary>
    internal Head HeadFor(int outputs) => new(Task, outputs);

    internal bool Classifies => Task is HeadKind.Classify or HeadKind.Tag;

    internal bool PerStep => Task is HeadKind.Tag or HeadKind.RegressSteps;
}

/// <summary>
/// Sequences and their targets from a CSV file (docs/data.md has examples of every form). Commas separate fields;
/// spaces around a field are ignored; blank lines are skipped; no quoting.
/// <list type="bullet">
/// <item>Wide layout: one sequence per row, its targets first (1 label; T labels; K numbers; or T*K numbers, step by
/// step), then T*I finite numbers, step by step; for a last-step task fewer, any whole number of steps, which makes a
/// shorter sequence (<see cref="SequenceDataset.Lengths"/>). An optional header row (a first field that is not a number) is skipped.</item>
/// <item>Long layout (pandas' "long" or "tidy" form): a header row naming the columns, then one row per time step with
/// a sequence id, the target(s) and the inputs. A last-step task's target must be the same on every row of its sequence.</item>
/// </list>
/// Every error is a <see cref="DataFormatException"/> of one line naming the file, the line and the column (both from 1).
/// </summary>
public static class CsvDataset
{
    // A row holds at most this many characters per field (far more than any number needs); a longer line is refused
    // as it is read, so a file without newlines is never gathered into one huge string.
    private const int MaxFieldCharacters = 64;

    /// <summary>Today's form: one row per sequence, a label then <paramref name="steps"/> x <paramref name="inputs"/> values.</summary>
    public static SequenceDataset Load(string path, int steps, int inputs, int? classes = null) =>
        Load(path, new CsvFormat { Steps = steps, Inputs = inputs, Classes = classes });

    /// <summary>Reads <paramref name="path"/> in <paramref name="format"/>.</summary>
    /// <exception cref="DataFormatException">The file does not hold what the format says (one line naming line and column).</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static SequenceDataset Load(string path, CsvFormat format)
    {
        ArgumentNullException.ThrowIfNull(path);

        // A named pipe or device reports length 0, and opening a pipe waits for a writer forever: judged unopened.
        if (new FileInfo(path).Length == 0) return Read(TextReader.Null, path, format);

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, format);
    }

    /// <summary>Today's form from a reader; <paramref name="name"/> stands for the file in messages.</summary>
    public static SequenceDataset Read(TextReader reader, string name, int steps, int inputs, int? classes = null) =>
        Read(reader, name, new CsvFormat { Steps = steps, Inputs = inputs, Classes = classes });

    /// <summary>The same from a reader; <paramref name="name"/> stands for the file in messages.</summary>
    public static SequenceDataset Read(TextReader reader, string name, CsvFormat format)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(format);
        if (format.Classes is int c) ArgumentOutOfRangeException.ThrowIfLessThan(c, 2, nameof(format));
        ArgumentOutOfRangeException.ThrowIfLessThan(format.Targets, 1, nameof(format));
        return format.Layout == CsvLayout.Wide ? ReadWide(reader, name, format) : ReadLong(reader, name, format);
    }

    private static SequenceDataset ReadWide(TextReader reader, string name, CsvFormat format)
    {
        if (format.Steps is not int steps || format.Inputs is not int inputs) throw new ArgumentException("The wide layout needs Steps and Inputs.", nameof(format));
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1, nameof(format));
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1, nameof(format));
        int predictions = format.PerStep ? steps : 1;
        int targetFields = format.InputsOnly ? 0 : checked(predictions * (format.Classifies ? 1 : format.Targets));
        int length = checked(steps * inputs), fields = checked(targetFields + length);
        string what = format.InputsOnly ? "no targets" : format.Task switch
        {
            HeadKind.Classify => "a label",
            HeadKind.Tag => $"{steps} labels (one per step)",
            HeadKind.Regress => format.Targets == 1 ? "a target" : $"{format.Targets} targets",
            _ => $"{steps} x {format.Targets} targets (per step)",
        };

        var values = new List<float>();
        var labels = new List<int>();
        var targets = new List<float>();
        var lengths = new List<int>();
        var lines = new LineReader(reader, name, (long)MaxFieldCharacters * fields + 64, fields);
        int maxLabel = -1;
        bool first = true;
        while (lines.Next() is { } line)
        {
            int found = Count(line, ',') + 1;
            if (first)
            {
                first = false;
                if (IsHeader(line))
                {
                    if (found != fields) throw lines.Error($"expected a header of {fields} column names ({what}, then {steps} steps x {inputs} inputs), found {found}");
                    continue;
                }
            }

            // A last-step task's row may hold fewer steps, whole ones: a shorter sequence, padded to T with zeros.
            bool shorter = !format.PerStep && found < fields && found > targetFields && (found - targetFields) % inputs == 0;
            if (found != fields && !shorter)
            {
                throw lines.Error($"expected {fields} fields ({what}, then {steps} steps x {inputs} inputs{(format.PerStep ? "" : $", or fewer whole steps of {inputs}")}), found {found}");
            }

            lengths.Add((found - targetFields) / inputs);
            var rest = line.AsSpan();
            for (int column = 1; column <= found; column++)
            {
                int comma = rest.IndexOf(',');
                var field = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? default : rest[(comma + 1)..];
                if (column > targetFields) values.Add(Value(field, lines, column));
                else if (format.Classifies) maxLabel = Math.Max(maxLabel, AddLabel(labels, field, lines, column, format.Classes));
                else targets.Add(Value(field, lines, column));
            }

            for (int padding = found; padding < fields; padding++) values.Add(0f);
        }

        int count = values.Count / Math.Max(1, length);
        if (count == 0)
        {
            throw new DataFormatException(name, lines.Number == 0
                ? $"expected rows of {what} and {steps} steps x {inputs} inputs, found an empty file"
                : $"expected rows of {what} and {steps} steps x {inputs} inputs, found no data rows");
        }

        var data = Build(name, format, values, labels, targets, maxLabel, steps, inputs);
        return lengths.TrueForAll(l => l == steps) ? data : data.WithLengths(lengths.ToArray());
    }

    private static SequenceDataset ReadLong(TextReader reader, string name, CsvFormat format)
    {
        // The header is read with a generous bound; data rows are bounded by the column count it gives.
        var lines = new LineReader(reader, name, 1 << 20, 0);
        string header = lines.Next() ?? throw new DataFormatException(name, "expected a header row naming the columns (long layout), found an empty file");
        var names = header.Split(',').Select(n => n.Trim()).ToArray();
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i].Length == 0) throw lines.Error($"column {i + 1}: expected a column name, found an empty field");
            int twice = Array.IndexOf(names, names[i], i + 1);
            if (twice > 0) throw lines.Error($"column {twice + 1}: the column name '{names[i]}' appears twice (columns {i + 1} and {twice + 1})");
        }

        int Column(string column, string option)
        {
            int index = Array.IndexOf(names, column);
            if (index < 0) throw lines.Error($"expected a column named '{column}' ({option}), found columns {string.Join(", ", names)}");
            return index;
        }

        int idColumn = Column(format.IdColumn, "--id-column");
        var targetNames = format.TargetColumns ?? [format.Classifies ? "label" : "target"];
        if (format.Classifies && targetNames.Count != 1) throw new ArgumentException("A classifying task reads one label column.", nameof(format));
        var targetColumns = targetNames.Select(n => Column(n, "--target-columns")).ToArray();
        if (!format.Classifies && format.TargetColumns is not null && targetColumns.Length != format.Targets)
        {
            throw new ArgumentException($"{targetColumns.Length} target columns for {format.Targets} targets.", nameof(format));
        }

        var inputColumns = format.InputColumns is { } given
            ? given.Select(n => Column(n, "--input-columns")).ToArray()
            : Enumerable.Range(0, names.Length).Where(i => i != idColumn && !targetColumns.Contains(i)).ToArray();
        if (inputColumns.Length == 0) throw lines.Error("expected at least one input column besides the id and target columns, found none");
        if (format.Inputs is int expected && expected != inputColumns.Length)
        {
            throw lines.Error($"expected {expected} input columns (--inputs), found {inputColumns.Length}: {string.Join(", ", inputColumns.Select(i => names[i]))}");
        }

        int inputs = inputColumns.Length, fields = names.Length, k = targetColumns.Length;
        lines.Limit(fields);
        var values = new List<float>();
        var labels = new List<int>();
        var targets = new List<float>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        int stepsOfCurrent = 0, maxLabel = -1, firstLine = 0;
        var lengths = new List<int>();   // rows of each sequence: its length
        var field = new string[fields];

        void EndSequence()
        {
            if (current is not null) lengths.Add(stepsOfCurrent);
        }

        while (lines.Next() is { } line)
        {
            int found = Count(line, ',') + 1;
            if (found != fields) throw lines.Error($"expected {fields} fields (the header's columns), found {found}");
            var rest = line.AsSpan();
            for (int column = 0; column < fields; column++)
            {
                int comma = rest.IndexOf(',');
                field[column] = (comma < 0 ? rest : rest[..comma]).Trim().ToString();
                rest = comma < 0 ? default : rest[(comma + 1)..];
            }

            string id = field[idColumn];
            if (id.Length == 0) throw lines.Error($"column {idColumn + 1} ('{names[idColumn]}'): expected a sequence id, found an empty field");
            bool starts = id != current;
            if (starts)
            {
                EndSequence();
                if (!seen.Add(id)) throw lines.Error($"column {idColumn + 1} ('{names[idColumn]}'): sequence '{id}' appears again after other sequences; the rows of a sequence must be consecutive");
                current = id;
                stepsOfCurrent = 0;
                firstLine = lines.Number;
            }

            stepsOfCurrent++;
            if (format.Steps is int limit && stepsOfCurrent > limit) throw lines.Error($"sequence '{id}' has more than {limit} rows, the most a sequence may have (--steps, or the training file's longest sequence)");
            foreach (int column in inputColumns) values.Add(Value(field[column], lines, column + 1));

            if (format.PerStep || starts)
            {
                if (format.Classifies) maxLabel = Math.Max(maxLabel, AddLabel(labels, field[targetColumns[0]], lines, targetColumns[0] + 1, format.Classes));
                else foreach (int column in targetColumns) targets.Add(Value(field[column], lines, column + 1));
            }
            else
            {
                // A sequence's own target, repeated on each of its rows as pandas' long form has it: it must not change.
                bool same = format.Classifies
                    ? Label(field[targetColumns[0]], lines, targetColumns[0] + 1, format.Classes) == labels[^1]
                    : targetColumns.Select((column, j) => Value(field[column], lines, column + 1) == targets[targets.Count - k + j]).All(x => x);
                if (!same) throw lines.Error($"sequence '{id}': its target differs from the one on its first row (line {firstLine}); a {Head.NameOf(format.Task)} target belongs to the whole sequence");
            }
        }

        EndSequence();
        if (current is null) throw new DataFormatException(name, "expected rows after the header, found none");

        // Sequences of fewer rows than T are padded with zeros past their length, which the engine leaves out
        // (packed-sequence semantics): their lengths go with the data set.
        int steps = format.Steps ?? lengths.Max();
        int perStepTargets = format.PerStep ? (format.Classifies ? 1 : k) : 0;
        var paddedValues = new List<float>(lengths.Count * steps * inputs);
        var paddedLabels = format.Classifies && format.PerStep ? new List<int>(lengths.Count * steps) : labels;
        var paddedTargets = !format.Classifies && format.PerStep ? new List<float>(lengths.Count * steps * k) : targets;
        int row = 0;
        foreach (int length in lengths)
        {
            for (int i = 0; i < length * inputs; i++) paddedValues.Add(values[row * inputs + i]);
            paddedValues.AddRange(new float[(steps - length) * inputs]);
            if (perStepTargets > 0 && format.Classifies)
            {
                for (int t = 0; t < length; t++) paddedLabels.Add(labels[row + t]);
                paddedLabels.AddRange(new int[steps - length]);
            }
            else if (perStepTargets > 0)
            {
                for (int i = 0; i < length * k; i++) paddedTargets.Add(targets[row * k + i]);
                paddedTargets.AddRange(new float[(steps - length) * k]);
            }

            row += length;
        }

        var data = Build(name, format with { Targets = k }, paddedValues, paddedLabels, paddedTargets, maxLabel, steps, inputs);
        return lengths.Any(length => length != steps) ? data.WithLengths(lengths.ToArray()) : data;
    }

    private static SequenceDataset Build(string name, CsvFormat format, List<float> values, List<int> labels, List<float> targets, int maxLabel, int steps, int inputs)
    {
        int outputs = format.Targets;
        if (format.InputsOnly)
        {
            int count = values.Count / (steps * inputs), predictions = count * (format.PerStep ? steps : 1);
            if (format.Classifies)
            {
                labels.AddRange(new int[predictions]);
                maxLabel = Math.Max(maxLabel, 1);
            }
            else
            {
                targets.AddRange(new float[predictions * outputs]);
            }
        }

        if (format.Classifies)
        {
            outputs = format.Classes ?? maxLabel + 1;
            if (outputs < 2) throw new DataFormatException(name, $"expected labels of at least 2 classes, found only label {maxLabel} (give the class count with --classes)");
        }

        return SequenceDataset.ForHead(format.HeadFor(outputs), values.ToArray(), format.Classifies ? labels.ToArray() : null, format.Classifies ? null : targets.ToArray(), steps, inputs);
    }

    /// <summary>Reads lines like <see cref="TextReader.ReadLine"/> (ends at \n, \r or \r\n), skipping blank ones and refusing overlong ones.</summary>
    private sealed class LineReader(TextReader reader, string name, long maxCharacters, int fields)
    {
        private readonly StringBuilder buffer = new();
        private long max = maxCharacters;
        private int fields = fields;

        /// <summary>The line number of the last line read (from 1).</summary>
        public int Number { get; private set; }

        public void Limit(int columns)
        {
            fields = columns;
            max = (long)MaxFieldCharacters * columns + 64;
        }

        public DataFormatException Error(string detail) => new(name, $"line {Number}: {detail}");

        public DataFormatException Error(int column, string detail) => new(name, $"line {Number}, column {column}: {detail}");

        public string? Next()
        {
            string? line;
            do
            {
                line = ReadOne();
                if (line is null) return null;
                Number++;
            }
            while (string.IsNullOrWhiteSpace(line));

            return line;
        }

        private string? ReadOne()
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
                    throw new DataFormatException(name, $"line {Number + 1}: expected at most {max} characters ({(fields > 0 ? $"{fields} fields" : "a header row")}), found more");
                }

                buffer.Append((char)c);
            }

            return buffer.Length == 0 ? null : buffer.ToString();
        }
    }

    // A header row starts with a field that is not a number (data rows start with a label or a value).
    private static bool IsHeader(string line)
    {
        int comma = line.IndexOf(',');
        var field = (comma < 0 ? line.AsSpan() : line.AsSpan(0, comma)).Trim();
        return !field.IsEmpty && !double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    private static int AddLabel(List<int> labels, ReadOnlySpan<char> field, LineReader lines, int column, int? classes)
    {
        int label = Label(field, lines, column, classes);
        labels.Add(label);
        return label;
    }

    private static int Label(ReadOnlySpan<char> field, LineReader lines, int column, int? classes)
    {
        if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int label))
        {
            throw lines.Error(column, $"expected a label that is a non-negative integer, found {Quote(field)}");
        }

        if (classes is int c && label >= c) throw lines.Error(column, $"expected a label below {c} (the class count), found {label}");
        return label;
    }

    private static float Value(ReadOnlySpan<char> field, LineReader lines, int column)
    {
        if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
        {
            throw lines.Error(column, $"expected a number, found {Quote(field)}");
        }

        if (!float.IsFinite(value)) throw lines.Error(column, $"expected a finite number, found {Quote(field)}");
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
