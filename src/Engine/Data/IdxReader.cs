using System.Buffers.Binary;
using System.IO.Compression;

namespace SimdRnn.Data;

/// <summary>
/// Reads IDX files of unsigned bytes (the MNIST format), raw or gzip-compressed; gzip is recognised by its magic
/// bytes 1F 8B, not by the file name. Every malformed file raises a <see cref="DataFormatException"/> whose
/// one-line message names the path, what was expected and what was found. Nothing larger than the header claims
/// is ever allocated, and the claim is checked first: against the file length for raw files, against
/// <see cref="MaxDataBytes"/> and then against the bytes actually decompressed for gzip files.
/// </summary>
/// <remarks>
/// Layout (big-endian): magic 00 00 type dims, where type 08 is unsigned byte; then one uint32 per dimension;
/// then the product of the dimensions in bytes, and nothing after.
/// </remarks>
public static class IdxReader
{
    /// <summary>The most data bytes a file may claim: the largest byte array .NET can allocate.</summary>
    public static readonly long MaxDataBytes = Array.MaxLength;

    private const byte UnsignedByteType = 0x08;
    private const int GrowthStartBytes = 1 << 20;

    /// <summary>
    /// DEFLATE's largest expansion: each compressed byte yields at most 1032 bytes (RFC 1951, 258-byte matches in
    /// 2-bit codes). A gzip file whose header claims more than this many times its own length cannot hold that
    /// data, so the claim is refused before any buffer is allocated or any data decompressed.
    /// </summary>
    private const long MaxGzipExpansion = 1032;

    private static readonly string[] ImageDimensionNames = ["count", "rows", "columns"];
    private static readonly string[] LabelDimensionNames = ["count"];

    /// <summary>Reads an IDX3 image file: <c>Pixels</c> is [Count, Rows, Cols], row-major.</summary>
    /// <exception cref="DataFormatException">The file is not a well-formed ubyte IDX3 file.</exception>
    /// <exception cref="IOException">The file cannot be read (for example <see cref="FileNotFoundException"/>).</exception>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        var (data, dimensions) = Read(path, "ubyte images", ImageDimensionNames);
        return (data, dimensions[0], dimensions[1], dimensions[2]);
    }

    /// <summary>Reads an IDX1 label file: one byte per item.</summary>
    /// <exception cref="DataFormatException">The file is not a well-formed ubyte IDX1 file.</exception>
    /// <exception cref="IOException">The file cannot be read (for example <see cref="FileNotFoundException"/>).</exception>
    public static byte[] ReadLabels(string path) => Read(path, "ubyte labels", LabelDimensionNames).Data;

    private static (byte[] Data, int[] Dimensions) Read(string path, string kind, string[] dimensionNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // A named pipe, socket or device reports length 0, and opening a pipe waits for a writer forever: such a
        // path is judged by its length without being opened. An empty regular file gets the same message.
        if (new FileInfo(path).Length == 0)
        {
            return Parse(Stream.Null, path, kind, dimensionNames, rawLength: 0);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

        Span<byte> signature = stackalloc byte[2];
        bool gzip = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false) == 2
            && signature[0] == 0x1F && signature[1] == 0x8B;
        file.Position = 0;

        if (!gzip)
        {
            return Parse(file, path, kind, dimensionNames, rawLength: file.Length);
        }

        using var decompressed = new GZipStream(file, CompressionMode.Decompress);
        try
        {
            return Parse(decompressed, path, kind, dimensionNames, rawLength: null, gzipLength: file.Length);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"expected valid gzip data, found corrupt data ({OneLine(e.Message)})", e);
        }
    }

    // rawLength: the file length for a raw file; null for a decompressing stream of unknown length, whose
    // compressed file is gzipLength bytes long.
    private static (byte[] Data, int[] Dimensions) Parse(
        Stream stream, string path, string kind, string[] dimensionNames, long? rawLength, long gzipLength = 0)
    {
        string compressed = rawLength is null ? " after gzip decompression" : "";
        int rank = dimensionNames.Length;
        int headerBytes = 4 + 4 * rank;
        uint expectedMagic = (UnsignedByteType << 8) | (uint)rank;

        Span<byte> header = stackalloc byte[headerBytes];
        int magicRead = stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
        if (magicRead < 4)
        {
            throw new DataFormatException(path,
                $"expected an IDX header of {headerBytes} bytes starting with magic 0x{expectedMagic:X8} ({kind}, {Dimensions(rank)}), found only {magicRead} bytes{compressed}");
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            throw new DataFormatException(path,
                $"expected magic 0x{expectedMagic:X8} ({kind}, {Dimensions(rank)}), found 0x{magic:X8}{compressed} ({DescribeMagic(magic)})");
        }

        int dimensionsRead = stream.ReadAtLeast(header[4..], headerBytes - 4, throwOnEndOfStream: false);
        if (dimensionsRead < headerBytes - 4)
        {
            throw new DataFormatException(path,
                $"expected an IDX header of {headerBytes} bytes (magic and {rank} sizes), found only {4 + dimensionsRead} bytes{compressed}");
        }

        var dimensions = new int[rank];
        long dataBytes = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header[(4 + 4 * d)..]);
            if (size == 0 || size > int.MaxValue)
            {
                throw new DataFormatException(path,
                    $"expected dimension {d} ({dimensionNames[d]}) between 1 and {int.MaxValue}, found {size}");
            }

            dimensions[d] = (int)size;
            dataBytes *= size; // both factors are at most 2^31 here, so the product cannot overflow
            if (dataBytes > MaxDataBytes)
            {
                throw new DataFormatException(path,
                    $"expected at most {MaxDataBytes} data bytes, found a header claiming more ({Describe(header, rank, d + 1)} ...)");
            }
        }

        string shape = Describe(header, rank, rank);
        if (rawLength is long fileLength)
        {
            long expectedLength = headerBytes + dataBytes;
            if (fileLength != expectedLength)
            {
                string problem = fileLength < expectedLength
                    ? "the file is truncated"
                    : $"{fileLength - expectedLength} trailing bytes";
                throw new DataFormatException(path,
                    $"expected {expectedLength} bytes ({headerBytes}-byte header + {shape} = {dataBytes} data bytes), found {fileLength}: {problem}");
            }

            var data = new byte[dataBytes];
            stream.ReadExactly(data);
            return (data, dimensions);
        }

        if (headerBytes + dataBytes > gzipLength * MaxGzipExpansion)
        {
            throw new DataFormatException(path,
                $"expected at most {gzipLength * MaxGzipExpansion} bytes from a {gzipLength}-byte gzip file (DEFLATE expands at most {MaxGzipExpansion}:1), found a header claiming {headerBytes + dataBytes} ({headerBytes}-byte header + {shape} = {dataBytes} data bytes): the file is truncated or the header is wrong");
        }

        return (ReadDecompressed(stream, path, dataBytes, shape), dimensions);
    }

    /// <summary>
    /// Reads exactly <paramref name="dataBytes"/> from a decompressing stream, growing the buffer as data
    /// arrives, so that a small file whose header claims a lot fails before a large allocation.
    /// </summary>
    private static byte[] ReadDecompressed(Stream stream, string path, long dataBytes, string shape)
    {
        var data = new byte[Math.Min(dataBytes, GrowthStartBytes)];
        int filled = 0;
        while (filled < dataBytes)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(dataBytes, 2L * data.Length));
            }

            int read = stream.Read(data, filled, data.Length - filled);
            if (read == 0)
            {
                throw new DataFormatException(path,
                    $"expected {dataBytes} data bytes ({shape}) after the header, found {filled} after gzip decompression: the data is truncated");
            }

            filled += read;
        }

        Span<byte> probe = stackalloc byte[4096];
        long trailing = 0;
        int n;
        while ((n = stream.Read(probe)) > 0 && trailing <= GrowthStartBytes)
        {
            trailing += n;
        }

        if (trailing > 0)
        {
            string count = trailing > GrowthStartBytes ? $"more than {GrowthStartBytes}" : trailing.ToString();
            throw new DataFormatException(path,
                $"expected the data to end after {dataBytes} bytes ({shape}), found {count} trailing bytes after gzip decompression");
        }

        return data;
    }

    private static string Describe(ReadOnlySpan<byte> header, int rank, int known)
    {
        var parts = new string[known];
        for (int d = 0; d < known; d++)
        {
            parts[d] = BinaryPrimitives.ReadUInt32BigEndian(header[(4 + 4 * d)..]).ToString();
        }

        return string.Join(" x ", parts);
    }

    private static string DescribeMagic(uint magic)
    {
        if (magic >> 16 != 0)
        {
            return "not an IDX file: the first two bytes must be zero";
        }

        uint type = (magic >> 8) & 0xFF;
        uint rank = magic & 0xFF;
        string typeName = type switch
        {
            0x08 => "unsigned byte",
            0x09 => "signed byte",
            0x0B => "int16",
            0x0C => "int32",
            0x0D => "float32",
            0x0E => "float64",
            _ => "unknown type",
        };
        return type == UnsignedByteType
            ? $"{typeName}, {Dimensions((int)rank)}"
            : $"element type 0x{type:X2} {typeName}, only 0x08 unsigned byte is supported; {Dimensions((int)rank)}";
    }

    private static string Dimensions(int rank) => rank == 1 ? "1 dimension" : $"{rank} dimensions";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
