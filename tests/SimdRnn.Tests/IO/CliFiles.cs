using System.Buffers.Binary;
using System.IO.Compression;
using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Tests.Cli;

namespace SimdRnn.Tests.IO;

/// <summary>Files for the model commands' tests: an easy MNIST-shaped data set, images in PGM and PNG.</summary>
internal static class CliFiles
{
    /// <summary>
    /// A directory with the four MNIST files: image n has label n % 10 and a bright column at 2*label+4 in every
    /// row, over faint noise, so a tiny network learns it in an epoch or two.
    /// </summary>
    public static string EasyMnist(int trainCount = 300, int testCount = 60)
    {
        string directory = Idx.TempDirectory();
        WriteSet(directory, "train", trainCount, seed: 1);
        WriteSet(directory, "t10k", testCount, seed: 2);
        return directory;
    }

    public static byte[] EasyImage(int label, Random random)
    {
        var pixels = new byte[28 * 28];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.Next(0, 40);
        for (int row = 0; row < 28; row++) pixels[row * 28 + 2 * label + 4] = 255;
        return pixels;
    }

    public static CliRun Run(IReadOnlyList<CellEntry> cells, params string[] args) => CliHarness.Run(cells, args);

    /// <summary>An IDX image file of the given 28x28 images.</summary>
    public static byte[] IdxImages(IReadOnlyList<byte[]> images, int rows = 28, int cols = 28)
    {
        var file = new byte[16 + images.Count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(file, 0x0803);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), images.Count);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(12), cols);
        for (int n = 0; n < images.Count; n++) images[n].CopyTo(file, 16 + n * rows * cols);
        return file;
    }

    /// <summary>A binary greymap (P5).</summary>
    public static byte[] Pgm(byte[] pixels, int width, int height, int max = 255) =>
        [.. System.Text.Encoding.ASCII.GetBytes($"P5\n# made by a test\n{width} {height}\n{max}\n"), .. pixels];

    /// <summary>An 8-bit PNG: colour type 0 (grey), 2 (RGB) or 6 (RGBA), unfiltered rows.</summary>
    public static byte[] Png(byte[] samples, int width, int height, int colourType)
    {
        int channels = colourType switch { 0 => 1, 2 => 3, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colourType)) };
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            raw.Write(samples, y * width * channels, width * channels);
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) raw.WriteTo(zlib);

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = (byte)colourType;
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        byte[] typed = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        png.Write(number);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }

        return ~crc;
    }

    private static void WriteSet(string directory, string prefix, int count, int seed)
    {
        var random = new Random(seed);
        var images = Enumerable.Range(0, count).Select(n => EasyImage(n % 10, random)).ToArray();
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x0801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (int n = 0; n < count; n++) labels[8 + n] = (byte)(n % 10);
        File.WriteAllBytes(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), IdxImages(images));
        File.WriteAllBytes(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), labels);
    }
}
