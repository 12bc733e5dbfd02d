using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Cli;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary>Whatever happens to a valid image file, reading it gives 28x28 pixels in [0, 1] or a <see cref="CliDataException"/>.</summary>
public sealed class DigitImagesPropertyTests : IDisposable
{
    private static readonly byte[] ValidPng = CliFiles.Png(Enumerable.Range(0, 30 * 20 * 3).Select(i => (byte)(i * 7)).ToArray(), 30, 20, colourType: 2);
    private static readonly byte[] ValidPgm = CliFiles.Pgm(Enumerable.Range(0, 30 * 20).Select(i => (byte)i).ToArray(), 30, 20);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Property(MaxTest = 300)]
    public void MutatedPng_ReadsOrThrowsCliDataException((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate) =>
        Check(Mutate(ValidPng, mutations, truncate ? cut.Get : null));

    [Property(MaxTest = 300)]
    public void MutatedPgm_ReadsOrThrowsCliDataException((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate) =>
        Check(Mutate(ValidPgm, mutations, truncate ? cut.Get : null));

    private static byte[] Mutate(byte[] valid, (NonNegativeInt Position, byte Value)[] mutations, int? cut)
    {
        byte[] bytes = cut is int length ? valid[..(length % (valid.Length + 1))] : (byte[])valid.Clone();
        foreach (var (position, value) in mutations)
        {
            if (bytes.Length > 0) bytes[position.Get % bytes.Length] = value;
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
                foreach (var image in DigitImages.Read(path, limit: 3))
                {
                    Assert.Equal(784, image.Pixels.Length);
                    Assert.All(image.Pixels, p => Assert.InRange(p, 0f, 1f));
                }
            }
            catch (CliDataException e)
            {
                Assert.StartsWith(path, e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
        });

        Assert.True(read.Wait(TimeSpan.FromSeconds(20)), $"reading {bytes.Length} mutated bytes did not finish in time");
        read.GetAwaiter().GetResult();
        File.Delete(path);
    }
}
