using System.Buffers.Binary;
using System.IO.Compression;

namespace SimdRnn.Tests.Data;

/// <summary>Builds small IDX files for tests.</summary>
internal static class IdxFiles
{
    public static byte[] Build(uint magic, uint[] dimensions, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int d = 0; d < dimensions.Length; d++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        }

        data.CopyTo(bytes.AsSpan(4 + 4 * dimensions.Length));
        return bytes;
    }

    /// <summary>Images with pixel value (n*31 + r*7 + c) mod 256.</summary>
    public static byte[] Images(int count, int rows, int cols) =>
        Build(0x00000803, [(uint)count, (uint)rows, (uint)cols], Pixels(count, rows, cols));

    public static byte[] Pixels(int count, int rows, int cols)
    {
        var pixels = new byte[count * rows * cols];
        for (int n = 0; n < count; n++)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols; c++)
                {
                    pixels[(n * rows + r) * cols + c] = (byte)(n * 31 + r * 7 + c);
                }
            }
        }

        return pixels;
    }

    public static byte[] Labels(params byte[] labels) => Build(0x00000801, [(uint)labels.Length], labels);

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
