using SimdRnn.Data;

namespace SimdRnn.Tests.Data;

public static class SequenceDatasetExtensions
{
    /// <summary>Sequence <paramref name="index"/> as a new array [T*I].</summary>
    public static float[] SequenceArray(this SequenceDataset set, int index)
    {
        var values = new float[set.SequenceLength];
        set.CopySequence(index, values);
        return values;
    }
}
