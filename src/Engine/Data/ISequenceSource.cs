namespace SimdRnn.Data;

/// <summary>
/// The user's own labelled sequences, read one at a time into the engine's buffers: implement it over any
/// storage (a database cursor, a ring buffer of sensor readings, a memory-mapped file) and turn it into a
/// <see cref="SequenceDataset"/> for training with <see cref="SequenceSources.ToDataset"/>.
/// Shape letters: N sequences, T steps, I inputs per step.
/// </summary>
public interface ISequenceSource
{
    /// <summary>N</summary>
    int Count { get; }

    /// <summary>T</summary>
    int Steps { get; }

    /// <summary>I</summary>
    int Inputs { get; }

    /// <summary>Classes; every label is in [0, Classes).</summary>
    int Classes { get; }

    /// <summary>Writes sequence <paramref name="index"/> [T, I] (step t at t*I) into <paramref name="destination"/>, which holds T*I values.</summary>
    void CopySequence(int index, Span<float> destination);

    /// <summary>The label of sequence <paramref name="index"/>.</summary>
    int Label(int index);
}

/// <summary>Builds <see cref="SequenceDataset"/>s from spans or an <see cref="ISequenceSource"/>.</summary>
public static class SequenceSources
{
    /// <summary>
    /// A data set of copies of <paramref name="values"/> [N, T, I] (sequence n at n*T*I, its step t at t*I) and
    /// <paramref name="labels"/> [N]. The classes are <paramref name="classes"/>, or one more than the largest label.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not agree, a label is negative or not below the class count, or there are fewer than 2 classes.</exception>
    public static SequenceDataset FromSpans(ReadOnlySpan<float> values, ReadOnlySpan<int> labels, int steps, int inputs, int? classes = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        int count = labels.Length;
        if (values.Length != (long)count * steps * inputs)
        {
            throw new ArgumentException($"Expected {(long)count * steps * inputs} values ({count} labels x {steps} steps x {inputs} inputs), found {values.Length}.", nameof(values));
        }

        int classCount = classes ?? (count == 0 ? 2 : Math.Max(2, MaxOf(labels) + 1));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2, nameof(classes));
        return new SequenceDataset(values.ToArray(), labels.ToArray(), count, steps, inputs, classCount, validate: true);
    }

    /// <summary>Copies every sequence and label of <paramref name="source"/> into a data set.</summary>
    /// <exception cref="ArgumentException">A label is outside [0, Classes).</exception>
    public static SequenceDataset ToDataset(ISequenceSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int count = source.Count, length = checked(source.Steps * source.Inputs);
        var values = new float[checked(count * length)];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            source.CopySequence(n, values.AsSpan(n * length, length));
            labels[n] = source.Label(n);
        }

        return new SequenceDataset(values, labels, count, source.Steps, source.Inputs, source.Classes, validate: true);
    }

    private static int MaxOf(ReadOnlySpan<int> labels)
    {
        int max = int.MinValue;
        foreach (int label in labels) max = Math.Max(max, label);
        return max;
    }
}
