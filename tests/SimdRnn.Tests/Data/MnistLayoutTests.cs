using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Data;
using Xunit;

namespace SimdRnn.Tests.Data;

/// <summary>The MNIST layouts: rows, pixels (784 steps of 1) and permuted pixels, and the permutation's generator.</summary>
public sealed class MnistLayoutTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void WriteTrainingSet(int count, int rows = 28, int cols = 28)
    {
        _dir.Write("train-images-idx3-ubyte", IdxFiles.Images(count, rows, cols));
        _dir.Write("train-labels-idx1-ubyte", IdxFiles.Labels(Enumerable.Range(0, count).Select(n => (byte)(n % 10)).ToArray()));
    }

    [Fact]
    public void Pixels_AreTheRowsBytesInTheSameOrder_As784StepsOf1Input()
    {
        WriteTrainingSet(3);

        var rows = Mnist.Load(_dir.Path, train: true);
        var pixels = Mnist.Load(_dir.Path, train: true, MnistLayout.Pixels);

        Assert.Equal((28, 28), (rows.Steps, rows.Inputs));
        Assert.Equal((3, 784, 1), (pixels.Count, pixels.Steps, pixels.Inputs));
        Assert.Equal(rows.Labels.ToArray(), pixels.Labels.ToArray());
        for (int n = 0; n < 3; n++) Assert.Equal(rows.SequenceArray(n), pixels.SequenceArray(n));
    }

    [Fact]
    public void Permuted_StepTReadsPixelOrderT_OfEveryImage()
    {
        WriteTrainingSet(3);

        var rows = Mnist.Load(_dir.Path, train: true);
        var permuted = Mnist.Load(_dir.Path, train: true, MnistLayout.Permuted);

        Assert.Equal((784, 1), (permuted.Steps, permuted.Inputs));
        var order = MnistLayouts.PixelOrder.ToArray();
        for (int n = 0; n < 3; n++)
        {
            float[] image = rows.SequenceArray(n), sequence = permuted.SequenceArray(n);
            Assert.Equal(order.Select(pixel => image[pixel]), sequence);
        }
    }

    [Fact]
    public void Permuted_RefusesImagesThatAreNot28By28()
    {
        WriteTrainingSet(2, rows: 4, cols: 5);

        var error = Assert.Throws<DataFormatException>(() => Mnist.Load(_dir.Path, train: true, MnistLayout.Permuted));

        Assert.EndsWith("expected 28x28 images for the permuted layout (its pixel order has 784 entries), found 4x5", error.Message);
    }

    [Fact]
    public void SplitMix64_GivesTheReferenceOutputsFromSeedZero()
    {
        // Vigna's splitmix64.c seeded with 0.
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, MnistLayouts.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, MnistLayouts.SplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, MnistLayouts.SplitMix64(ref state));
    }

    [Fact]
    public void PixelOrder_BeginsAndEndsAsTheDocumentedPythonPrints()
    {
        // docs/training.md: permutation()[:10] and [-3:] with seed 15.
        Assert.Equal(15UL, MnistLayouts.PermutationSeed);
        Assert.Equal([92, 570, 163, 622, 637, 394, 328, 324, 391, 492], MnistLayouts.PixelOrder[..10].ToArray());
        Assert.Equal([219, 412, 245], MnistLayouts.PixelOrder[^3..].ToArray());
    }

    [Fact]
    public void Arrange_RowsAndPixelsCopy_PermutedReorders()
    {
        var images = Enumerable.Range(0, 2 * 784).Select(i => (short)i).ToArray();
        var copied = new short[images.Length];
        var permuted = new short[images.Length];

        MnistLayouts.Arrange<short>(MnistLayout.Pixels, images, copied);
        MnistLayouts.Arrange<short>(MnistLayout.Permuted, images, permuted);

        Assert.Equal(images, copied);
        Assert.Equal(MnistLayouts.PixelOrder[5] + 784, permuted[784 + 5]);
        Assert.Throws<ArgumentException>(() => MnistLayouts.Arrange<short>(MnistLayout.Rows, images.AsSpan(1), copied));
    }

    [Property(MaxTest = 200)]
    public void Permutation_IsABijectionForAnySeedAndLength(ulong seed, byte length)
    {
        var permutation = MnistLayouts.Permutation(seed, length);

        Assert.Equal(Enumerable.Range(0, length), permutation.Order());
    }

    [Fact]
    public void Names_RoundTripAndDescribeTheShapes()
    {
        foreach (var (name, layout) in MnistLayouts.Names)
        {
            Assert.Equal(layout, MnistLayouts.Named(name));
            Assert.Equal(name, MnistLayouts.NameOf(layout));
        }

        Assert.Null(MnistLayouts.Named("columns"));
        Assert.Equal((28, 28), (MnistLayouts.Steps(MnistLayout.Rows), MnistLayouts.Inputs(MnistLayout.Rows)));
        Assert.Equal((784, 1), (MnistLayouts.Steps(MnistLayout.Permuted), MnistLayouts.Inputs(MnistLayout.Permuted)));
    }
}
