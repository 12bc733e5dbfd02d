// TEMPORARY until the data branch merges.
namespace SimdRnn.Data;
public sealed class SequenceDataset
{
    private readonly float[] values; private readonly int[] labels;
    public SequenceDataset(float[] values, int[] labels, int steps, int inputs, int classes) { this.values = values; this.labels = labels; Steps = steps; Inputs = inputs; Classes = classes; Count = labels.Length; }
    public int Count { get; } public int Steps { get; } public int Inputs { get; } public int Classes { get; }
    public ReadOnlySpan<float> Sequence(int index) => values.AsSpan(index * Steps * Inputs, Steps * Inputs);
    public int Label(int index) => labels[index];
    public SequenceDataset Take(int count) => new(values[..(count * Steps * Inputs)], labels[..count], Steps, Inputs, Classes);
}
