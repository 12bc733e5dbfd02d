using System.Numerics.Tensors;

namespace SimdRnn.Data;

/// <summary>
/// An immutable in-memory set of labelled sequences. Shape letters: N sequences, T steps, I inputs per step.
/// The values are one flat array [N, T, I], batch-major: sequence n starts at n*T*I and its row t at t*I
/// within it. They are floats, or bytes with a divisor (MNIST's pixels / 255: a quarter of the memory of floats).
/// </summary>
public sealed class SequenceDataset
{
    private readonly float[]? _values; // [>= Count*Steps*Inputs], or null when stored as bytes
    private readonly byte[]? _bytes;   // [>= Count*Steps*Inputs] value = byte / _divisor
    private readonly float _divisor;
    private readonly int[] _labels;    // [>= Count]
    private int[]? _lengths;           // [>= Count] each sequence's steps, 1..T; null until asked for when every one has T

    /// <summary>
    /// Creates a data set from copies of <paramref name="values"/> [count*steps*inputs] and
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
        : this(values, null, 1f, values?.LongLength ?? 0, labels, count, steps, inputs, classes, validate)
    {
    }

    /// <summary>Takes ownership of byte values, each standing for <c>byte / divisor</c>, and of the labels.</summary>
    internal SequenceDataset(byte[] values, float divisor, int[] labels, int count, int steps, int inputs, int classes, bool validate)
        : this(null, values, divisor, values?.LongLength ?? 0, labels, count, steps, inputs, classes, validate)
    {
    }

    private SequenceDataset(float[]? values, byte[]? bytes, float divisor, long length, int[] labels, int count, int steps, int inputs, int classes, bool validate)
    {
        if (values is null && bytes is null) throw new ArgumentNullException(nameof(values));
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);

        long expectedValues = (long)count * steps * inputs;
        if (validate && length != expectedValues)
        {
            throw new ArgumentException(
                $"Expected {expectedValues} values ({count} sequences x {steps} steps x {inputs} inputs), found {length}.",
                nameof(values));
        }

        if (length < expectedValues || labels.Length < count)
        {
            throw new ArgumentException($"Arrays are shorter than {count} sequences of {steps}x{inputs}.", nameof(values));
        }

        if (validate && values is not null)
        {
            // A NaN or infinity in the inputs would reach the weights through the first gradient and end the run
            // as a diverged loss far from its cause: it is reported here, where it can be named.
            // The largest magnitude is the first NaN if there is one, else an infinity if there is one (vectorised).
            int bad = TensorPrimitives.IndexOfMaxMagnitude(values.AsSpan(0, (int)expectedValues));
            if (bad >= 0 && !float.IsFinite(values[bad]))
            {
                long perSequence = (long)steps * inputs;
                throw new ArgumentException(
                    $"Value {values[bad]} of sequence {bad / perSequence}, step {bad % perSequence / inputs}, input {bad % inputs} is not finite.",
                    nameof(values));
            }
        }

        if (validate)
        {
            for (int n = 0; n < count; n++)
            {
                if ((uint)labels[n] >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(labels), $"Label {labels[n]} at index {n} is outside [0, {classes}).");
                }
            }
        }

        _values = values;
        _bytes = bytes;
        _divisor = divisor;
        _labels = labels;
        Count = count;
        Steps = steps;
        Inputs = inputs;
        Classes = classes;
    }

    /// <summary>Number of sequences (N).</summary>
    public int Count { get; }

    /// <summary>Time steps per sequence (T).</summary>
    public int Steps { get; }

    /// <summary>Inputs per time step (I).</summary>
    public int Inputs { get; }

    /// <summary>Number of classes; every label is in [0, Classes).</summary>
    public int Classes { get; }

    /// <summary>Values per sequence: T*I.</summary>
    public int SequenceLength => Steps * Inputs;

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
        else
        {
            var target = destination[..length];
            TensorPrimitives.ConvertTruncating<byte, float>(_bytes.AsSpan(index * length, length), target);
            TensorPrimitives.Divide(target, _divisor, target);
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

        var copy = Share(Count);
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

    /// <summary>The label of sequence <paramref name="index"/>, in [0, Classes).</summary>
    public int Label(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <summary>All labels: [N].</summary>
    public ReadOnlySpan<int> Labels => new(_labels, 0, Count);

    /// <summary>The first <paramref name="count"/> sequences (for <c>--limit</c>); shares storage, copies nothing.</summary>
    public SequenceDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        if (count == Count) return this;
        return Share(count);
    }

    // The first count sequences over the same storage, lengths included.
    private SequenceDataset Share(int count)
    {
        var shared = _values is not null
            ? new SequenceDataset(_values, _labels, count, Steps, Inputs, Classes, validate: false)
            : new SequenceDataset(_bytes!, _divisor, _labels, count, Steps, Inputs, Classes, validate: false);
        shared._lengths = _lengths;
        return shared;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected an index in [0, {Count}).");
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
