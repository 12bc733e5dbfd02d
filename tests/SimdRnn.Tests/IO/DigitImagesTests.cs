using SimdRnn.Cli;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.IO;

public sealed class DigitImagesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MnistShapedGreymap_IsReadAsIs()
    {
        byte[] pixels = CliFiles.EasyImage(5, new Random(3));
        string path = _dir.Write("five.pgm", CliFiles.Pgm(pixels, 28, 28));

        var image = Assert.Single(DigitImages.Read(path));

        Assert.Null(image.Index);
        Assert.Equal(pixels.Select(p => p / 255f), image.Pixels);
    }

    [Fact]
    public void LightBackground_IsInverted()
    {
        byte[] pixels = CliFiles.EasyImage(5, new Random(3));
        string path = _dir.Write("five.pgm", CliFiles.Pgm(pixels.Select(p => (byte)(255 - p)).ToArray(), 28, 28));

        var image = Assert.Single(DigitImages.Read(path));

        Assert.Equal(pixels.Select(p => p / 255f).ToArray(), image.Pixels, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void DoubleSizeImage_IsAreaAveraged()
    {
        // Each 2x2 block of the 56x56 image holds values whose mean is the 28x28 pixel.
        var small = Enumerable.Range(0, 784).Select(i => (byte)(20 + i % 7 * 15)).ToArray();
        var large = new byte[56 * 56];
        for (int y = 0; y < 56; y++)
        {
            for (int x = 0; x < 56; x++) large[y * 56 + x] = (byte)(small[y / 2 * 28 + x / 2] + ((x + y) % 2 == 0 ? 10 : -10));
        }

        var image = Assert.Single(DigitImages.Read(_dir.Write("big.pgm", CliFiles.Pgm(large, 56, 56))));

        Assert.Equal(small.Select(p => p / 255f).ToArray(), image.Pixels, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void WideImage_IsCentredOnASquareOfBackground()
    {
        // 56x28 of one dim grey: the middle 14 rows of the 28x28 result are that grey, the rest background.
        var image = Assert.Single(DigitImages.Read(_dir.Write("wide.pgm", CliFiles.Pgm(Enumerable.Repeat((byte)100, 56 * 28).ToArray(), 56, 28))));

        for (int y = 0; y < 28; y++)
        {
            float expected = y is >= 7 and < 21 ? 100 / 255f : 0f;
            Assert.All(image.Pixels.AsSpan(y * 28, 28).ToArray(), p => Assert.Equal(expected, p, 5));
        }
    }

    [Fact]
    public void SmallImage_IsEnlargedBilinearly()
    {
        var image = Assert.Single(DigitImages.Read(_dir.Write("tiny.pgm", CliFiles.Pgm([0, 0, 0, 0, 255, 0, 0, 0, 0], 3, 3))));

        Assert.Equal(784, image.Pixels.Length);
        int brightest = Array.IndexOf(image.Pixels, image.Pixels.Max());
        Assert.InRange(brightest / 28, 13, 14);
        Assert.InRange(brightest % 28, 13, 14);
        Assert.InRange(image.Pixels.Max(), 0.85f, 1f);
        Assert.Equal(0f, image.Pixels[0]);
        Assert.InRange(image.Pixels[14 * 28 + 10], 0.01f, 0.85f);
    }

    [Fact]
    public void AsciiAnd16BitGreymaps_AreRead()
    {
        string ascii = _dir.Write("a.pgm", "P2\n# comment\n2 2\n15\n0 15\n15 0\n"u8.ToArray());
        string wide = _dir.Write("b.pgm", [.. "P5 2 2 65535\n"u8.ToArray(), 0, 0, 255, 255, 255, 255, 0, 0]);

        foreach (string path in new[] { ascii, wide })
        {
            var image = Assert.Single(DigitImages.Read(path));
            Assert.Equal(1f, image.Pixels[0 * 28 + 27], 5); // top right is bright (border mean is half: no inversion)
            Assert.Equal(0f, image.Pixels[0 * 28 + 0], 5);
        }
    }

    [Fact]
    public void TransparentPng_PutsTheStrokesOnTheBackgroundTheyContrastWith()
    {
        // Black strokes, transparent elsewhere: composited on white, then inverted to a bright digit on black.
        byte[] digit = CliFiles.EasyImage(2, new Random(4));
        var rgba = new byte[28 * 28 * 4];
        for (int i = 0; i < 784; i++) rgba[4 * i + 3] = digit[i];

        var image = Assert.Single(DigitImages.Read(_dir.Write("t.png", CliFiles.Png(rgba, 28, 28, colourType: 6))));

        Assert.Equal(digit.Select(p => p / 255f).ToArray(), image.Pixels, (a, b) => Math.Abs(a - b) < 0.01f);
    }

    [Fact]
    public void IdxFile_GivesEveryImageOrTheFirstN()
    {
        var random = new Random(5);
        var images = Enumerable.Range(0, 4).Select(n => CliFiles.EasyImage(n, random)).ToArray();
        string path = _dir.Write("x-idx3-ubyte", CliFiles.IdxImages(images));

        Assert.Equal([0, 1, 2, 3], DigitImages.Read(path).Select(i => i.Index!.Value));
        var two = DigitImages.Read(path, limit: 2);
        Assert.Equal(2, two.Count);
        Assert.Equal(images[1].Select(p => p / 255f), two[1].Pixels);
    }

    public static TheoryData<string, byte[], string> BadImages => new()
    {
        { "bad-maxval.pgm", "P2 2 2 0\n1 2 3 4"u8.ToArray(), "PGM maxval: expected an integer from 1 to 65535, found '0'" },
        { "short.pgm", [.. "P5 4 4 255\n"u8.ToArray(), 1, 2, 3], "expected 17 bytes of pixel data for 4x4, found 4" },
        { "huge.pgm", "P5 100000 100000 255\n"u8.ToArray(), "expected an image of at most 67,108,864 pixels, found 100000x100000" },
        { "letters.pgm", "P2 2 2 255\n1 x 3 4"u8.ToArray(), "PGM pixel 1: expected an integer from 0 to 255, found ''" },
        { "large.png", HugePng(CliFiles.Png([0], 1, 1, 0), 10000), "expected an image of at most 67,108,864 pixels, found 10000x10000" },
        { "huge.png", HugePng(CliFiles.Png([0], 1, 1, 0), 100000), "expected a PNG image that can be decoded, found a damaged, oversized or unsupported one" },
        { "text.txt", "not an image"u8.ToArray(), "expected a PNG, JPEG, BMP, GIF, TGA, PGM or IDX image file, found none of these" },
        { "bad.idx", [0, 0, 8, 3, 0, 0, 0, 9], "expected " },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void BadImage_IsOneLineNamingTheFile(string name, byte[] bytes, string expected)
    {
        string path = _dir.Write(name, bytes);

        var e = Assert.Throws<CliDataException>(() => DigitImages.Read(path));

        Assert.True(e.Message.StartsWith($"{path}: {expected}", StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    // A PNG whose header claims side x side pixels: refused from the header, before decoding.
    private static byte[] HugePng(byte[] png, int side)
    {
        var bytes = (byte[])png.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), side);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), side);
        return bytes;
    }
}
