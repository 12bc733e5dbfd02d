using SimdRnn.Cli;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class MnistSourceTests
{
    [Fact]
    public void Load_ReadsRowsOfPixelsInUnitRange()
    {
        string directory = Idx.WriteMnist(5, 3);

        var train = MnistSource.Load(directory, train: true);
        var test = MnistSource.Load(directory, train: false);

        Assert.Equal((5, 28, 28, 10), (train.Count, train.Steps, train.Inputs, train.Head.Outputs));
        Assert.Equal(3, test.Count);
        Assert.Equal(4, train.Label(4));
        Assert.Equal(2 / 255f, train.SequenceArray(2)[0]);
        Assert.Equal(255 / 255f, train.SequenceArray(0)[255]);
        Assert.True(MnistSource.IsAvailable(directory));
    }

    [Fact]
    public void Load_CountMismatch_NamesTheLabelFile()
    {
        string directory = Idx.WriteMnist(5, 3);
        Idx.WriteSet(Idx.TempDirectory(), "train", 4);
        string other = Idx.TempDirectory();
        Idx.WriteSet(other, "train", 4);
        File.Copy(Path.Combine(other, "train-labels-idx1-ubyte"), Path.Combine(directory, "train-labels-idx1-ubyte"), overwrite: true);

        var error = Assert.Throws<CliDataException>(() => MnistSource.Load(directory, train: true));

        Assert.Contains("expected 5 labels, one per image", error.Message);
        Assert.Contains("train-labels-idx1-ubyte", error.Message);
    }

    [Fact]
    public void Load_TruncatedImages_NamesTheFile()
    {
        string directory = Idx.WriteMnist(5, 3);
        string images = Path.Combine(directory, "t10k-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..100]);

        var error = Assert.Throws<CliDataException>(() => MnistSource.Load(directory, train: false));

        Assert.StartsWith(images, error.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        string directory = Idx.TempDirectory();

        var error = Assert.Throws<CliDataException>(() => MnistSource.Load(directory, train: true));

        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Contains(directory, error.Message);
        Assert.False(MnistSource.IsAvailable(directory));
    }

    [Fact]
    public void EnsureAvailable_FilesPresent_DoesNothing()
    {
        string directory = Idx.WriteMnist(1, 1);
        var log = new List<string>();

        MnistSource.EnsureAvailable(directory, log.Add);

        Assert.Empty(log);
    }
}
