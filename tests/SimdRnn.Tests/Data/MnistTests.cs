using SimdRnn.Data;
using Xunit;

namespace SimdRnn.Tests.Data;

public sealed class MnistTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LoadsRawFilesAsRowsOfPixels()
    {
        _dir.Write("train-images-idx3-ubyte", IdxFiles.Images(count: 3, rows: 4, cols: 5));
        _dir.Write("train-labels-idx1-ubyte", IdxFiles.Labels(5, 0, 9));

        var train = Mnist.Load(_dir.Path, train: true);

        Assert.Equal((3, 4, 5, 10), (train.Count, train.Steps, train.Inputs, train.Head.Outputs));
        Assert.Equal(new[] { 5, 0, 9 }, train.Labels.ToArray());
        byte[] pixels = IdxFiles.Pixels(3, 4, 5);
        float[] expected = pixels.Skip(20).Take(20).Select(p => p / 255f).ToArray();
        Assert.Equal(expected, train.SequenceArray(1));
    }

    [Fact]
    public void LoadsGzipFilesOfTheTestSet()
    {
        _dir.Write("t10k-images-idx3-ubyte.gz", IdxFiles.Gzip(IdxFiles.Images(2, 28, 28)));
        _dir.Write("t10k-labels-idx1-ubyte.gz", IdxFiles.Gzip(IdxFiles.Labels(1, 2)));

        var test = Mnist.Load(_dir.Path, train: false);

        Assert.Equal((2, 28, 28), (test.Count, test.Steps, test.Inputs));
        Assert.Equal(2, test.Label(1));
    }

    [Fact]
    public void PrefersTheRawFileOverTheGzipVariant()
    {
        _dir.Write("t10k-images-idx3-ubyte", IdxFiles.Images(1, 2, 2));
        _dir.Write("t10k-images-idx3-ubyte.gz", [1, 2, 3]);
        _dir.Write("t10k-labels-idx1-ubyte.gz", IdxFiles.Gzip(IdxFiles.Labels(4)));

        Assert.Equal(4, Mnist.Load(_dir.Path, train: false).Label(0));
    }

    [Fact]
    public void ImageAndLabelCountsMustMatch()
    {
        string images = _dir.Write("train-images-idx3-ubyte", IdxFiles.Images(3, 2, 2));
        string labels = _dir.Write("train-labels-idx1-ubyte", IdxFiles.Labels(1, 2));

        var error = Assert.Throws<DataFormatException>(() => Mnist.Load(_dir.Path, train: true));

        Assert.Equal($"{labels}: expected 3 labels, one per image in {images}, found 2", error.Message);
    }

    [Fact]
    public void LabelsMustBeDigits()
    {
        _dir.Write("train-images-idx3-ubyte", IdxFiles.Images(3, 2, 2));
        string labels = _dir.Write("train-labels-idx1-ubyte", IdxFiles.Labels(1, 10, 2));

        var error = Assert.Throws<DataFormatException>(() => Mnist.Load(_dir.Path, train: true));

        Assert.Equal($"{labels}: expected labels 0..9, found 10 at index 1", error.Message);
    }

    [Fact]
    public void MissingFileNamesTheFileAndTheDirectory()
    {
        _dir.Write("train-images-idx3-ubyte", IdxFiles.Images(1, 2, 2));

        var error = Assert.Throws<DataUnavailableException>(() => Mnist.Load(_dir.Path, train: true));

        Assert.StartsWith(
            $"MNIST file train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz) was not found in {_dir.Path}.", error.Message);
    }
}
