using SimdRnn.Data;
using Xunit;

namespace SimdRnn.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_RoundTrips(bool gzip)
    {
        byte[] file = IdxFiles.Images(count: 3, rows: 4, cols: 5);
        string path = _dir.Write("images", gzip ? IdxFiles.Gzip(file) : file);

        var (pixels, count, rows, cols) = IdxReader.ReadImages(path);

        Assert.Equal((3, 4, 5), (count, rows, cols));
        Assert.Equal(IdxFiles.Pixels(3, 4, 5), pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabels_RoundTrips(bool gzip)
    {
        byte[] file = IdxFiles.Labels(7, 0, 9, 3);
        string path = _dir.Write("labels.gz", gzip ? IdxFiles.Gzip(file) : file);

        Assert.Equal(new byte[] { 7, 0, 9, 3 }, IdxReader.ReadLabels(path));
    }

    [Fact]
    public void GzipIsDetectedByMagicNotName()
    {
        string raw = _dir.Write("looks-compressed.gz", IdxFiles.Labels(1, 2));
        string gzip = _dir.Write("looks-raw", IdxFiles.Gzip(IdxFiles.Labels(1, 2)));

        Assert.Equal(new byte[] { 1, 2 }, IdxReader.ReadLabels(raw));
        Assert.Equal(new byte[] { 1, 2 }, IdxReader.ReadLabels(gzip));
    }

    [Fact]
    public void LargeGzipFileGrowsItsBufferToTheExactSize()
    {
        byte[] file = IdxFiles.Images(count: 3000, rows: 28, cols: 28); // 2.35 MB, past the first buffer
        string path = _dir.Write("big", IdxFiles.Gzip(file));

        var (pixels, count, _, _) = IdxReader.ReadImages(path);

        Assert.Equal(3000, count);
        Assert.Equal(IdxFiles.Pixels(3000, 28, 28), pixels);
    }

    [Fact]
    public void BadMagic()
    {
        string path = _dir.Write("images", IdxFiles.Build(0x12340803, [1, 1, 1], [0]));
        AssertImagesError(path,
            "expected magic 0x00000803 (ubyte images, 3 dimensions), found 0x12340803 (not an IDX file: the first two bytes must be zero)");
    }

    [Fact]
    public void LabelMagicInImagesFile()
    {
        string path = _dir.Write("train-images-idx3-ubyte", IdxFiles.Labels(1));
        AssertImagesError(path,
            "expected magic 0x00000803 (ubyte images, 3 dimensions), found 0x00000801 (unsigned byte, 1 dimension)");
    }

    [Fact]
    public void WrongElementType()
    {
        string path = _dir.Write("images", IdxFiles.Build(0x00000D03, [1, 1, 1], [0, 0, 0, 0]));
        AssertImagesError(path,
            "expected magic 0x00000803 (ubyte images, 3 dimensions), found 0x00000D03 (element type 0x0D float32, only 0x08 unsigned byte is supported; 3 dimensions)");
    }

    [Fact]
    public void WrongDimensionCount()
    {
        string path = _dir.Write("labels", IdxFiles.Build(0x00000802, [1, 1], [0]));
        AssertLabelsError(path,
            "expected magic 0x00000801 (ubyte labels, 1 dimension), found 0x00000802 (unsigned byte, 2 dimensions)");
    }

    [Fact]
    public void EmptyFile()
    {
        string path = _dir.Write("labels", []);
        AssertLabelsError(path,
            "expected an IDX header of 8 bytes starting with magic 0x00000801 (ubyte labels, 1 dimension), found only 0 bytes");
    }

    [Fact]
    public void TruncatedHeader()
    {
        string path = _dir.Write("images", IdxFiles.Build(0x00000803, [2, 2, 2], [])[..10]);
        AssertImagesError(path, "expected an IDX header of 16 bytes (magic and 3 sizes), found only 10 bytes");
    }

    [Fact]
    public void ZeroDimension()
    {
        string path = _dir.Write("images", IdxFiles.Build(0x00000803, [2, 0, 2], []));
        AssertImagesError(path, "expected dimension 1 (rows) between 1 and 2147483647, found 0");
    }

    [Fact]
    public void DimensionAboveInt32()
    {
        string path = _dir.Write("labels", IdxFiles.Build(0x00000801, [0x80000000], []));
        AssertLabelsError(path, "expected dimension 0 (count) between 1 and 2147483647, found 2147483648");
    }

    [Fact]
    public void ProductAboveArrayLimit_RejectedFromTheHeader()
    {
        string path = _dir.Write("images", IdxFiles.Build(0x00000803, [60000, 60000, 28], [1, 2, 3]));
        AssertImagesError(path,
            $"expected at most {Array.MaxLength} data bytes, found a header claiming more (60000 x 60000 ...)");
    }

    [Fact]
    public void BillionsOfItemsOnATinyRawFile_RejectedBeforeAllocating()
    {
        string path = _dir.Write("labels", IdxFiles.Build(0x00000801, [2_000_000_000], [1, 2, 3]));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(
            $"{path}: expected 2000000008 bytes (8-byte header + 2000000000 = 2000000000 data bytes), found 11: the file is truncated",
            error.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void BillionsOfItemsOnATinyGzipFile_FailsWithoutAllocatingTheClaim()
    {
        string path = _dir.Write("labels", IdxFiles.Gzip(IdxFiles.Build(0x00000801, [2_000_000_000], [1, 2, 3])));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long length = new FileInfo(path).Length;
        Assert.Equal(
            $"{path}: expected at most {length * 1032} bytes from a {length}-byte gzip file (DEFLATE expands at most 1032:1), found a header claiming 2000000008 (8-byte header + 2000000000 = 2000000000 data bytes): the file is truncated or the header is wrong",
            error.Message);
        Assert.True(allocated < 256 << 10, $"allocated {allocated} bytes");
    }

    [Fact]
    public void TruncatedData()
    {
        string path = _dir.Write("images", IdxFiles.Images(2, 3, 4)[..^1]);
        AssertImagesError(path,
            "expected 40 bytes (16-byte header + 2 x 3 x 4 = 24 data bytes), found 39: the file is truncated");
    }

    [Fact]
    public void TrailingBytes()
    {
        string path = _dir.Write("images", [.. IdxFiles.Images(2, 3, 4), 0, 0, 0]);
        AssertImagesError(path,
            "expected 40 bytes (16-byte header + 2 x 3 x 4 = 24 data bytes), found 43: 3 trailing bytes");
    }

    [Fact]
    public void GzipTrailingBytes()
    {
        string path = _dir.Write("labels", IdxFiles.Gzip([.. IdxFiles.Labels(1, 2), 9, 9]));
        AssertLabelsError(path,
            "expected the data to end after 2 bytes (2), found 2 trailing bytes after gzip decompression");
    }

    [Fact]
    public void GzipTruncatedInsideTheData()
    {
        byte[] file = IdxFiles.Images(count: 50, rows: 28, cols: 28);
        byte[] gzip = IdxFiles.Gzip(file);
        string path = _dir.Write("images", gzip[..(gzip.Length / 2)]);

        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: expected ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.True(
            error.Message.Contains("the data is truncated", StringComparison.Ordinal)
            || error.Message.Contains("corrupt", StringComparison.Ordinal),
            error.Message);
    }

    [Fact]
    public void GzipCutAfterTheHeader()
    {
        byte[] gzip = IdxFiles.Gzip(IdxFiles.Labels(1, 2, 3));
        string path = _dir.Write("labels", gzip[..12]);

        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith($"{path}: expected ", error.Message);
    }

    [Fact]
    public void CorruptGzip()
    {
        byte[] gzip = IdxFiles.Gzip(IdxFiles.Labels(1, 2, 3));
        gzip[10] ^= 0xFF; // the first deflate byte: block type 3 is invalid
        gzip[10] |= 0x06;
        string path = _dir.Write("labels", gzip);

        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith($"{path}: expected valid gzip data, found corrupt data (", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void MissingFileIsAnIoErrorNotAFormatError()
    {
        Assert.Throws<FileNotFoundException>(() => IdxReader.ReadLabels(Path.Combine(_dir.Path, "absent")));
    }

    private static void AssertImagesError(string path, string detail)
    {
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: {detail}", error.Message);
        Assert.Equal(path, error.Path);
    }

    private static void AssertLabelsError(string path, string detail)
    {
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Equal($"{path}: {detail}", error.Message);
    }
}
