using SimdRnn.Data;
using Xunit;

namespace SimdRnn.Tests.Data;

public sealed class SequenceDatasetTests
{
    private static float[] Values(int count, int steps, int inputs) =>
        Enumerable.Range(0, count * steps * inputs).Select(i => (float)i).ToArray();

    [Fact]
    public void SequencesAreBatchMajorRowsOfInputs()
    {
        var set = new SequenceDataset(Values(3, 2, 4), new[] { 2, 0, 1 }, steps: 2, inputs: 4, classes: 3);

        Assert.Equal((3, 2, 4, 3), (set.Count, set.Steps, set.Inputs, set.Head.Outputs));
        Assert.Equal(new float[] { 8, 9, 10, 11, 12, 13, 14, 15 }, set.SequenceArray(1));
        Assert.Equal(1, set.Label(2));
        Assert.Equal(new[] { 2, 0, 1 }, set.Labels.ToArray());
    }

    [Fact]
    public void ByteLabelsAreWidened()
    {
        var set = new SequenceDataset(Values(2, 1, 1), new byte[] { 9, 4 }, steps: 1, inputs: 1, classes: 10);

        Assert.Equal(9, set.Label(0));
        Assert.Equal(4, set.Label(1));
    }

    [Fact]
    public void ConstructorCopies()
    {
        float[] values = Values(1, 1, 2);
        int[] labels = [1];
        var set = new SequenceDataset(values, labels, 1, 2, 2);

        values[0] = 99;
        labels[0] = 0;

        Assert.Equal(0f, set.SequenceArray(0)[0]);
        Assert.Equal(1, set.Label(0));
    }

    [Fact]
    public void WrongValueCountIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new SequenceDataset(Values(2, 2, 2)[..7], new[] { 0, 1 }, 2, 2, 2));
        Assert.Contains("Expected 8 values (2 sequences x 2 steps x 2 inputs), found 7.", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void LabelOutsideTheClassesIsRejected(int label)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceDataset(Values(2, 1, 1), new[] { 0, label }, 1, 1, 3));
        Assert.Contains($"Label {label} at index 1 is outside [0, 3).", error.Message);
    }

    [Fact]
    public void NonPositiveShapeIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceDataset([], Array.Empty<int>(), 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceDataset([], Array.Empty<int>(), 1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceDataset([], Array.Empty<int>(), 1, 1, 0));
    }

    [Fact]
    public void TakeKeepsTheFirstSequences()
    {
        var set = new SequenceDataset(Values(3, 2, 2), new[] { 2, 0, 1 }, 2, 2, 3);

        var first = set.Take(2);

        Assert.Equal(2, first.Count);
        Assert.Equal(set.SequenceArray(1), first.SequenceArray(1));
        Assert.Equal(new[] { 2, 0 }, first.Labels.ToArray());
        Assert.Same(set, set.Take(3));
        Assert.Equal(0, set.Take(0).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => first.SequenceArray(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => first.Label(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Take(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Take(-1));
    }

    [Fact]
    public void IndexOutOfRangeIsRejected()
    {
        var set = new SequenceDataset(Values(1, 1, 1), new[] { 0 }, 1, 1, 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => set.SequenceArray(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Label(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.CopySequence(0, new float[0]));
    }

    [Fact]
    public void ByteValuesAreDividedOnCopy()
    {
        var set = new SequenceDataset(new byte[] { 0, 51, 255, 102 }, 255f, [1, 0], count: 2, steps: 2, inputs: 1, classes: 2, validate: true);

        Assert.Equal(new[] { 0f, 51 / 255f }, set.SequenceArray(0));
        Assert.Equal(new[] { 1f, 102 / 255f }, set.Take(2).SequenceArray(1));
    }
}
