using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Data;
using Xunit;

namespace SimdRnn.Tests.Data;

/// <summary>Whatever happens to a valid file, the reader either reads it or throws a <see cref="DataFormatException"/>.</summary>
public sealed class IdxReaderPropertyTests : IDisposable
{
    private static readonly byte[] ValidImages = IdxFiles.Images(count: 4, rows: 3, cols: 5);
    private static readonly byte[] ValidImagesGzip = IdxFiles.Gzip(ValidImages);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Property(MaxTest = 400)]
    public void MutatedRawFile_ReadsOrThrowsDataFormatException((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate) =>
        Check(Mutate(ValidImages, mutations, truncate ? cut.Get : null));

    [Property(MaxTest = 400)]
    public void MutatedGzipFile_ReadsOrThrowsDataFormatException((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate) =>
        Check(Mutate(ValidImagesGzip, mutations, truncate ? cut.Get : null));

    [Property(MaxTest = 200)]
    public void RandomBytes_ReadOrThrowDataFormatException(byte[] bytes, bool gzip) =>
        Check(gzip ? IdxFiles.Gzip(bytes) : bytes);

    [Property(MaxTest = 200)]
    public void AnyHeaderClaim_ReadsOrThrowsDataFormatException(uint count, uint rows, uint cols, bool huge, byte[] data, bool gzip)
    {
        uint claimedCount = huge ? count * 2_654_435_761u : count;
        byte[] file = IdxFiles.Build(0x00000803, [claimedCount, rows, cols], data);
        Check(gzip ? IdxFiles.Gzip(file) : file);
    }

    private static byte[] Mutate(byte[] valid, (NonNegativeInt Position, byte Value)[] mutations, int? cut)
    {
        byte[] bytes = cut is int length ? valid[..(length % (valid.Length + 1))] : (byte[])valid.Clone();
        foreach (var (position, value) in mutations)
        {
            if (bytes.Length > 0)
            {
                bytes[position.Get % bytes.Length] = value;
            }
        }

        return bytes;
    }

    private void Check(byte[] bytes)
    {
        string path = _dir.Write(Path.GetRandomFileName(), bytes);
        var read = Task.Run(() =>
        {
            try
            {
                IdxReader.ReadImages(path);
                IdxReader.ReadLabels(path);
            }
            catch (DataFormatException e)
            {
                Assert.StartsWith($"{path}: expected ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
        });

        Assert.True(read.Wait(Patience), $"reading {bytes.Length} mutated bytes did not finish within {Patience}");
        read.GetAwaiter().GetResult(); // rethrows any other exception type, failing the property
        File.Delete(path);
    }
}
