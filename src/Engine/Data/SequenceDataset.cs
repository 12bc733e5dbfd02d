using System.Numerics.Tensors;
using SimdRnn.Model;

namespace SimdRnn.Data;

/// <summary>
/// An immutable in-memory set of sequences and their targets. Shape letters: N sequences, T steps, I inputs per
/// step, K values per target. The inputs are one flat array [N, T, I], batch-major: sequence n starts at n*T*I and
/// its row t at t*I within it. They are floats, bytes with a divisor (MNIST's pixels / 255: a quarter of the memory
/// of floats), or tokens [N, T] read as one-hot rows of I (text: a fraction of the memory of one-hot floats).
/// The targets fit one <see cref="Model.Head"/>: a label per sequence [N] (<see cref="HeadKind.Classify"/>), a label
/// per step [N, T] (<see cref="HeadKind.Tag"/>), K values per sequence [N, K] (<see cref="HeadKind.Regress"/>) or
/// K values per step [N, T, K] (<see cref="HeadKind.RegressSteps"/>).
/// </summary>
public sealed class SequenceDataset
{
    private readonly float[]? _values; // [>= N*T*I], or null when stored as bytes or tokens
    private readonly byte[]? _bytes;   // [>= N*T*I] value = byte / _divisor
    private readonly float _divisor;
    private readonly int[]? _tokens;   // [>= N*T] each step the one-hot row of its token
    private readonly int[]? _labels;   // [>= N] or [>= N*T], for classifying heads
    private readonly float[]? _targets; // [>= N*K] or [>= N*T*K], for regression heads
    private int[]? _lengths;           // [>= N] each sequence's steps, 1..T; null until asked for when every one has T

    /// <summary>
    /// Creates a classification data set from copies of <paramref name="values"/> [count*steps*inputs] and
    /// <paramref name="labels"/> [count], each label in [0, classes).
    /// </summary>
    public SequenceDataset(float[] values, int[] labels, int steps, int inputs, int classes)
        : this(Copy(values), Copy(labels), labels?.Length ?? 0, steps, inputs, classes, validate: true)
    {
    }

    /// <inheritdoc cref="SequenceDataset(float[], int[], int, int, int)"/>
    public SequenceDataset(float[] values, byte[] labels, int steps, int inputs, int classes)
        : this(Copy(values), Widen(labels), labels?.Length ?? 0, steps, inputs, classes, validate: true)
    {
    }

    /// <summary>Takes ownership of the arrays, which nobody may write afterwards; used by loaders and <see cref="Take"/>.</summary>
    internal SequenceDataset(float[] values, int[] labels, int count, int steps, int inputs, int classes, bool validate)
        : this(new Storage(values, null, 1f, null), Head.Classify(classes), labels, null, count, steps, inputs, validate)
    {
    }

    /// <summary>Takes ownership of byte values, each standing for <c>byte / divisor</c>, and of the labels.</summary>
    internal SequenceDataset(byte[] values, float divisor, int[] labels, int count, int steps, int inputs, int classes, bool validate)
        : this(new Storage(null, values, divisor, null), Head.Classify(classes), labels, null, count, steps, inputs, validate)
    {
    }

    /// <summary>
    /// A data set for <paramref name="head"/> from copies of <paramref name="values"/> [N, T, I] and its targets:
    /// <paramref name="labels"/> ([N] or [N, T] as the head is last-step or per-step) for a classifying head,
    /// <paramref name="targets"/> ([N, K] or [N, T, K]) for a regression head; the other is null.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not agree with N, T, I and the head, a label is outside the classes, or a value is not finite.</exception>
    public static SequenceDataset ForHead(Head head, float[] values, int[]? labels, float[]? targets, int steps, int inputs)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        long perSequence = (long)steps * inputs;
        long count = values.LongLength / perSequence;
        if (count > int.MaxValue) throw new ArgumentException("More than int.MaxValue sequences.", nameof(values));
        return new SequenceDataset(new Storage(Copy(values), null, 1f, null), head, labels is null ? null : Copy(labels), targets is null ? null : Copy(targets),
            (int)count, steps, inputs, validate: true);
    }

    /// <summary>
    /// Takes ownership of token inputs [count*steps], each step read as the one-hot row of its token over
    /// <paramref name="vocabulary"/> inputs, and of per-step labels [count*steps] (a language model: the next token).
    /// </summary>
    internal static SequenceDataset FromTokens(int[] tokens, int[] nextTokens, int count, int steps, int vocabulary) =>
        new(new Storage(null, null, 1f, tokens), new Head(HeadKind.Tag, vocabulary), nextTokens, null, count, steps, vocabulary, validate: true);

    private readonly record struct Storage(float[]? Values, byte[]? Bytes, float Divisor, int[]? Tokens)
    {
        public long Length(int inputs) => Values?.LongLength ?? Bytes?.LongLength ?? Tokens!.LongLength * inputs;
    }

    private SequenceDataset(Storage storage, Head head, int[]? labels, float[]? targets, int count, int steps, int inputs, bool validate)
    {
        if (storage.Values is null && storage.Bytes is null && storage.Tokens is null) throw new ArgumentNullException("values");
        ArgumentNullException.ThrowIfNull(head);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);

        long expectedValues = (long)count * steps * inputs;
        long length = storage.Length(inputs);
        if (validate && length != expectedValues)
        {
            throw new ArgumentException(
                $"Expected {expectedValues} values ({count} sequences x {steps} steps x {inputs} inputs), found {length}.",
                "values");
        }

        if (length < expectedValues) throw new ArgumentException($"Arrays are shorter than {count} sequences of {steps}x{inputs}.", "values");

        long predictions = (long)count * head.PredictionsPerSequence(steps);
        if (head.Classifies)
        {
            if (labels is null) throw new ArgumentException($"A {head.Name} data set needs labels.", nameof(labels));
            if (targets is not null) throw new ArgumentException($"A {head.Name} data set has labels, not target values.", nameof(targets));
            if (validate && labels.LongLength != predictions || labels.LongLength < predictions)
            {
                throw new ArgumentException($"Expected {predictions} labels for {count} sequences ({head.Name}), found {labels.Length}.", nameof(labels));
            }
        }
        else
        {
            if (targets is null) throw new ArgumentException($"A {head.Name} data set needs target values.", nameof(targets));
            if (labels is not null) throw new ArgumentException($"A {head.Name} data set has target values, not labels.", nameof(labels));
            if (validate && targets.LongLength != predictions * head.Outputs || targets.LongLength < predictions * head.Outputs)
            {
                throw new ArgumentException(
                    $"Expected {predictions * head.Outputs} target values for {count} sequences ({head.Name}, {head.Outputs} per prediction), found {targets.Length}.", nameof(targets));
            }
        }

        if (validate)
        {
            // A NaN or infinity in the inputs would reach the weights through the first gradient and end the run
            // as a diverged loss far from its cause: it is reported here, where it can be named.
            if (storage.Values is { } values) CheckFinite(values.AsSpan(0, (int)expectedValues), steps, inputs, "Value", "input");
            if (targets is not null) CheckFinite(targets.AsSpan(0, (int)(predictions * head.Outputs)), head.PredictionsPerSequence(steps), head.Outputs, "Target", "output");
            if (storage.Tokens is { } tokens) CheckRange(tokens.AsSpan(0, (int)(count * (long)steps)), inputs, "Token", nameof(values));
            if (labels is not null) CheckRange(labels.AsSpan(0, (int)predictions), head.Outputs, "Label", nameof(labels));
        }

        _values = storage.Values;
        _bytes = storage.Bytes;
        _divisor = storage.Divisor;
        _tokens = storage.Tokens;
        _labels = labels;
        _targets = targets;
        Head = head;
        Count = count;
        Steps = steps;
        Inputs = inputs;
    }

    /// <summary>Number of sequences (N).</summary>
    public int Count { get; }

    /// <summary>Time steps per sequence (T).</summary>
    public int Steps { get; }

    /// <summary>Inputs per time step (I).</summary>
    public int Inputs { get; }

    /// <summary>The head the targets are for: its kind, and its classes or values per prediction.</summary>
    public Head Head { get; }

    /// <summary>Values per sequence: T*I.</summary>
    public int SequenceLength => Steps * Inputs;

    /// <summary>Targets per sequence: 1 for a last-step head, T for a per-step head.</summary>
    public int PredictionsPerSequence => Head.PredictionsPerSequence(Steps);

    /// <summary>Copies sequence <paramref name="index"/> [T, I], row t at t*I, into <paramref name="destination"/>.</summary>
    public void CopySequence(int index, Span<float> destination)
    {
        CheckIndex(index);
        int length = SequenceLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, length, nameof(destination));
        if (_values is not null)
        {
            _values.AsSpan(index * length, length).CopyTo(destination);
        }
        else if (_bytes is not null)
        {
            var target = destination[..length];
            TensorPrimitives.ConvertTruncating<byte, float>(_bytes.AsSpan(index * length, length), target);
            TensorPrimitives.Divide(target, _divisor, target);
        }
        else
        {
            destination[..length].Clear();
            var tokens = _tokens.AsSpan(index * Steps, Steps);
            for (int t = 0; t < tokens.Length; t++) destination[t * Inputs + tokens[t]] = 1f;
        }
    }

    /// <summary>
    /// The same sequences with their own lengths: sequence n has <paramref name="lengths"/>[n] steps, 1..T,
    /// and its values past them are padding that no result depends on (they stay stored, as read). Shares the
    /// values, copies the lengths.
    /// </summary>
    /// <exception cref="ArgumentException">Not one length per sequence, or a length outside 1..T.</exception>
    public SequenceDataset WithLengths(ReadOnlySpan<int> lengths)
    {
        if (lengths.Length != Count) throw new ArgumentException($"Expected {Count} lengths, one per sequence, found {lengths.Length}.", nameof(lengths));
        for (int n = 0; n < lengths.Length; n++)
        {
            if (lengths[n] < 1 || lengths[n] > Steps)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Length {lengths[n]} of sequence {n} is outside 1..{Steps} steps.");
            }
        }

        var copy = new SequenceDataset(new Storage(_values, _bytes, _divisor, _tokens), Head, _labels, _targets, Count, Steps, Inputs, validate: false);
        copy._lengths = lengths.ToArray();
        return copy;
    }

    /// <summary>Whether some sequence is shorter than <see cref="Steps"/>.</summary>
    public bool HasVariableLengths => _lengths is not null && _lengths.AsSpan(0, Count).ContainsAnyExcept(Steps);

    /// <summary>The steps of sequence <paramref name="index"/>, 1..T (T unless given by <see cref="WithLengths"/>).</summary>
    public int Length(int index)
    {
        CheckIndex(index);
        return _lengths?[index] ?? Steps;
    }

    /// <summary>All lengths: [N], each 1..T.</summary>
    public ReadOnlySpan<int> Lengths => new(_lengths ??= Enumerable.Repeat(Steps, Count).ToArray(), 0, Count);

    /// <summary>The label of sequence <paramref name="index"/> (a last-step classifying head), in [0, classes).</summary>
    public int Label(int index)
    {
        CheckIndex(index);
        if (_labels is null || Head.PerStep) throw new InvalidOperationException($"A {Head.Name} data set has no label per sequence.");
        return _labels[index];
    }

    /// <summary>
    /// The labels of sequence <paramref name="index"/> for a classifying head: [1] for <see cref="HeadKind.Classify"/>,
    /// [T] (step t at t) for <see cref="HeadKind.Tag"/>.
    /// </summary>
    public ReadOnlySpan<int> LabelsOf(int index)
    {
        CheckIndex(index);
        if (_labels is null) throw new InvalidOperationException($"A {Head.Name} data set has target values, not labels.");
        int per = PredictionsPerSequence;
        return _labels.AsSpan(index * per, per);
    }

    /// <summary>
    /// The target values of sequence <paramref name="index"/> for a regression head: [K] for
    /// <see cref="HeadKind.Regress"/>, [T, K] (step t at t*K) for <see cref="HeadKind.RegressSteps"/>.
    /// </summary>
    public ReadOnlySpan<float> TargetsOf(int index)
    {
        CheckIndex(index);
        if (_targets is null) throw new InvalidOperationException($"A {Head.Name} data set has labels, not target values.");
        int per = PredictionsPerSequence * Head.Outputs;
        return _targets.AsSpan(index * per, per);
    }

    /// <summary>All labels of a classifying data set: [N], or [N, T] for per-step labels.</summary>
    public ReadOnlySpan<int> Labels => _labels is null
        ? throw new InvalidOperationException($"A {Head.Name} data set has target values, not labels.")
        : new(_labels, 0, Count * PredictionsPerSequence);

    /// <summary>The first <paramref name="count"/> sequences (for <c>--limit</c>); shares storage, copies nothing.</summary>
    public SequenceDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        if (count == Count) return this;
        var taken = new SequenceDataset(new Storage(_values, _bytes, _divisor, _tokens), Head, _labels, _targets, count, Steps, Inputs, validate: false);
        taken._lengths = _lengths;
        return taken;
    }

    /// <summary>
    /// Sequences [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a new data set
    /// (copies them): a held-out tail for validation.
    /// </summary>
    public SequenceDataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)count, Count, nameof(count));
        int length = SequenceLength, per = PredictionsPerSequence, perTarget = per * Head.Outputs;
        var storage = new Storage(
            _values?.AsSpan(start * length, count * length).ToArray(),
            _bytes?.AsSpan(start * length, count * length).ToArray(),
            _divisor,
            _tokens?.AsSpan(start * Steps, count * Steps).ToArray());
        var slice = new SequenceDataset(storage, Head, _labels?.AsSpan(start * per, count * per).ToArray(),
            _targets?.AsSpan(start * perTarget, count * perTarget).ToArray(), count, Steps, Inputs, validate: false);
        slice._lengths = _lengths?.AsSpan(start, count).ToArray();
        return slice;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected an index in [0, {Count}).");
        }
    }

    // The largest magnitude is the first NaN if there is one, else an infinity if there is one (vectorised).
    private static void CheckFinite(ReadOnlySpan<float> values, int rows, int width, string what, string column)
    {
        int bad = TensorPrimitives.IndexOfMaxMagnitude(values);
        if (bad >= 0 && !float.IsFinite(values[bad]))
        {
            long perSequence = (long)rows * width;
            throw new ArgumentException(
                $"{what} {values[bad]} of sequence {bad / perSequence}, step {bad % perSequence / width}, {column} {bad % width} is not finite.", "values");
        }
    }

    private static void CheckRange(ReadOnlySpan<int> values, int limit, string what, string parameter)
    {
        for (int n = 0; n < values.Length; n++)
        {
            if ((uint)values[n] >= (uint)limit)
            {
                throw new ArgumentOutOfRangeException(parameter, $"{what} {values[n]} at index {n} is outside [0, {limit}).");
            }
        }
    }

    private static T[] Copy<T>(T[] source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.AsSpan().ToArray();
    }

    private static int[] Widen(byte[] source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var widened = new int[source.Length];
        for (int i = 0; i < source.Length; i++)
        {
            widened[i] = source[i];
        }

        return widened;
    }
}
