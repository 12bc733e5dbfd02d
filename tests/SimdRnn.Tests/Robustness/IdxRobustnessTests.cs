using FsCheck.Xunit;
using SimdRnn.Data;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// The gaps the IDX mutation properties leave (see <see cref="IdxReaderPropertyTests"/>): a lying header costs
/// no allocation, raw or gzip, and so does a 4-GB claim; gzip files are judged against their own length.
/// </summary>
public sealed class IdxRobustnessTests : IDisposable
{
    /// <summary>The FileStream's 64 KB buffer and the gzip stream's own buffers; nothing the header could size.</summary>
    private const long AllocationBound = 256 << 10;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Any three dimensions (a quarter of them near 2^32) over at most 64 data bytes: the read either succeeds on
    /// a file that really holds that much, or throws <see cref="DataFormatException"/>, and allocates at most
    /// <see cref="AllocationBound"/> plus what the file really holds.
    /// </summary>
    [Property(MaxTest = 300)]
    public void LyingHeader_OnATinyFile_AllocatesLittle(byte count, byte rows, byte cols, byte hugeMask, byte[] data, bool gzip)
    {
        byte[] file = IdxFiles.Build(0x00000803, [Claim(count, hugeMask), Claim(rows, hugeMask >> 2), Claim(cols, hugeMask >> 4)], data.AsSpan(0, Math.Min(data.Length, 64)));
        AssertBounded(gzip ? IdxFiles.Gzip(file) : file, read: IdxReader.ReadImages);
    }

    [Theory]
    [InlineData(65536u, 256u, 256u)]          // exactly 4 GiB of pixels
    [InlineData(uint.MaxValue, 1u, 1u)]       // a count of 2^32 - 1
    [InlineData(2_147_483_647u, 1u, 1u)]      // the largest count allowed, on a few bytes
    [InlineData(1_000_000u, 28u, 28u)]        // a plausible MNIST-like claim of 784 MB
    public void HugeClaim_RawOrGzip_FailsBeforeAllocating(uint count, uint rows, uint cols)
    {
        byte[] file = IdxFiles.Build(0x00000803, [count, rows, cols], new byte[100]);
        foreach (byte[] bytes in new[] { file, IdxFiles.Gzip(file) })
        {
            var error = AssertBounded(bytes, read: IdxReader.ReadImages);
            Assert.NotNull(error);
        }
    }

    /// <summary>A gzip file that holds the data its header claims, at DEFLATE's best ratio, still reads.</summary>
    [Fact]
    public void HighlyCompressedGzip_WithAnHonestHeader_Reads()
    {
        byte[] file = IdxFiles.Build(0x00000803, [2000, 28, 28], new byte[2000 * 28 * 28]);
        byte[] gzip = IdxFiles.Gzip(file);
        Assert.True(gzip.Length * 100 < file.Length, $"{gzip.Length} compressed bytes");

        var (pixels, count, _, _) = IdxReader.ReadImages(_dir.Write("zeros.gz", gzip));

        Assert.Equal(2000, count);
        Assert.Equal(2000 * 28 * 28, pixels.Length);
    }

    /// <summary>A gzip file claiming slightly more than it holds, within DEFLATE's ratio, reads what it has and then fails.</summary>
    [Fact]
    public void GzipClaimWithinTheRatio_ButShort_FailsAfterAtMostAMegabyte()
    {
        byte[] file = IdxFiles.Build(0x00000803, [2001, 28, 28], new byte[2000 * 28 * 28]);
        var error = AssertBounded(IdxFiles.Gzip(file), IdxReader.ReadImages, extra: 4L << 20);
        Assert.Contains("the data is truncated", error!.Message, StringComparison.Ordinal);
    }

    /// <summary>By the low two bits of <paramref name="mode"/>: the small value itself, or up to 2^32 in steps of 2^24, or within 256 of 2^32.</summary>
    private static uint Claim(byte value, int mode) => (mode & 3) switch
    {
        1 => unchecked(value * 16_777_259u),
        2 => uint.MaxValue - value,
        _ => value,
    };

    /// <summary>Reads on this thread, so the allocation count covers the whole read.</summary>
    private DataFormatException? AssertBounded(byte[] bytes, Func<string, (byte[] Pixels, int Count, int Rows, int Cols)> read, long extra = 0)
    {
        string path = _dir.Write(Path.GetRandomFileName(), bytes);
        DataFormatException? error = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            read(path);
        }
        catch (DataFormatException e)
        {
            error = e;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        File.Delete(path);
        long bound = AllocationBound + extra + (error is null ? bytes.Length * 1032L : 0);
        Assert.True(allocated <= bound, $"reading {bytes.Length} bytes allocated {allocated} bytes ({error?.Message ?? "read"})");
        return error;
    }
}
