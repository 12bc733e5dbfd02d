using System.Globalization;
using System.Text;
using SimdRnn.Data;
using StbImageSharp;

namespace SimdRnn.Cli;

/// <summary>One image made ready for the network: 28x28 pixels in [0, 1], bright digit on a dark background as in MNIST.</summary>
/// <param name="Source">The file it came from.</param>
/// <param name="Index">Its index inside an IDX file; null for an image file.</param>
public sealed record DigitImage(string Source, int? Index, float[] Pixels);

/// <summary>
/// Reads digits for <c>simdrnn predict</c>: PNG, JPEG, BMP, GIF, TGA (StbImageSharp), PGM P2/P5 (read here) and IDX
/// image files (every image, raw or gzip). Colour becomes luminance; a dark digit on a light background (judged from
/// the border pixels) is inverted; the image is padded to a square with its background and resized to 28x28 by area
/// averaging (bilinear when enlarging). Errors are <see cref="CliDataException"/>s naming the file.
/// </summary>
public static class DigitImages
{
    public const int Side = 28;

    /// <summary>Images larger than this many pixels are refused before they are decoded.</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>Files larger than this are refused before they are read: the whole MNIST training set is 47 MB.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>The images in <paramref name="path"/>: one for an image file, the first <paramref name="limit"/> (or all) of an IDX file.</summary>
    public static IReadOnlyList<DigitImage> Read(string path, int? limit = null)
    {
        byte[] bytes;
        try
        {
            // Judged by its length before it is opened: a named pipe (which would wait for a writer) or a device such
            // as /dev/zero (which never ends) reports 0, and a huge file would be read whole into memory.
            if (Directory.Exists(path)) throw new CliDataException($"{path}: a directory, not an image or IDX file");
            long length = new FileInfo(path).Length;
            if (length == 0) throw new CliDataException($"{path}: expected an image or IDX file, found 0 bytes (an empty file, a pipe or a device)");
            if (length > MaxFileBytes) throw new CliDataException($"{path}: expected an image or IDX file of at most {MaxFileBytes} bytes, found {length}");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot read {path}: {e.Message}", e);
        }

        if (IsIdx(bytes)) return ReadIdx(path, limit);
        var (grey, width, height) = IsPgm(bytes) ? Pgm.Decode(bytes, path) : DecodeWithStb(bytes, path);
        return [new DigitImage(path, null, Prepare(grey, width, height))];
    }

    /// <summary>
    /// Luminance in [0, 255] [height, width] to network input [28*28] in [0, 1]: inverted if the border is light, centred
    /// on a square of background (never allocated: pixels outside the image read as background), resized.
    /// </summary>
    public static float[] Prepare(float[] grey, int width, int height)
    {
        bool invert = BorderMean(grey, width, height) > 127.5f;
        var ink = new float[grey.Length];
        for (int i = 0; i < ink.Length; i++) ink[i] = (invert ? 255f - grey[i] : grey[i]) / 255f;

        int side = Math.Max(width, height), left = (side - width) / 2, top = (side - height) / 2;
        var weights = Weights(side, Side);
        var rows = new float[height * Side]; // [height, 28]: each image row resampled horizontally
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                float sum = 0;
                foreach (var (index, weight) in weights[x])
                {
                    int column = index - left;
                    if ((uint)column < (uint)width) sum += ink[y * width + column] * weight;
                }

                rows[y * Side + x] = sum;
            }
        }

        var result = new float[Side * Side];
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                float sum = 0;
                foreach (var (index, weight) in weights[y])
                {
                    int row = index - top;
                    if ((uint)row < (uint)height) sum += rows[row * Side + x] * weight;
                }

                result[y * Side + x] = Math.Clamp(sum, 0f, 1f);
            }
        }

        return result;
    }

    // For each output pixel, the source pixels it draws on and their weights (summing to 1).
    private static (int Index, float Weight)[][] Weights(int n, int size)
    {
        var weights = new (int, float)[size][];
        double scale = (double)n / size;
        for (int o = 0; o < size; o++)
        {
            if (n >= size)
            {
                double begin = o * scale, end = (o + 1) * scale;
                var taps = new List<(int, float)>();
                for (int i = (int)Math.Floor(begin); i < Math.Min(n, (int)Math.Ceiling(end)); i++)
                {
                    double overlap = Math.Min(end, i + 1) - Math.Max(begin, i);
                    if (overlap > 0) taps.Add((i, (float)(overlap / scale)));
                }

                weights[o] = [.. taps];
            }
            else
            {
                double x = Math.Clamp((o + 0.5) * scale - 0.5, 0, n - 1);
                int i0 = (int)Math.Floor(x), i1 = Math.Min(i0 + 1, n - 1);
                float f = (float)(x - i0);
                weights[o] = i0 == i1 ? [(i0, 1f)] : [(i0, 1f - f), (i1, f)];
            }
        }

        return weights;
    }

    private static float BorderMean(float[] grey, int width, int height)
    {
        double sum = 0;
        int count = 0;
        for (int x = 0; x < width; x++)
        {
            sum += grey[x] + grey[(height - 1) * width + x];
            count += 2;
        }

        for (int y = 1; y < height - 1; y++)
        {
            sum += grey[y * width] + grey[y * width + width - 1];
            count += 2;
        }

        return (float)(sum / count);
    }

    private static string? KnownFormat(byte[] bytes) => bytes switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "PNG",
        [0xFF, 0xD8, ..] => "JPEG",
        [(byte)'G', (byte)'I', (byte)'F', ..] => "GIF",
        [(byte)'B', (byte)'M', ..] => "BMP",
        _ => null,
    };

    private static bool IsIdx(byte[] bytes) =>
        bytes.Length >= 4 && ((bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0x08) || (bytes[0] == 0x1f && bytes[1] == 0x8b));

    private static bool IsPgm(byte[] bytes) => bytes.Length >= 2 && bytes[0] == 'P' && (bytes[1] == '2' || bytes[1] == '5');

    private static IReadOnlyList<DigitImage> ReadIdx(string path, int? limit)
    {
        byte[] pixels;
        int count, rows, cols;
        try
        {
            (pixels, count, rows, cols) = IdxReader.ReadImages(path);
        }
        catch (DataFormatException e)
        {
            throw new CliDataException(e.Message, e);
        }

        int taken = limit is int l ? Math.Min(l, count) : count;
        var images = new DigitImage[taken];
        for (int n = 0; n < taken; n++)
        {
            var image = new float[rows * cols];
            for (int i = 0; i < image.Length; i++) image[i] = pixels[(long)n * rows * cols + i];
            float[] prepared;
            if (rows == Side && cols == Side)
            {
                prepared = new float[Side * Side];
                for (int i = 0; i < prepared.Length; i++) prepared[i] = image[i] / 255f;
            }
            else
            {
                prepared = Prepare(image, cols, rows);
            }

            images[n] = new DigitImage(path, n, prepared);
        }

        return images;
    }

    private static (float[] Grey, int Width, int Height) DecodeWithStb(byte[] bytes, string path)
    {
        ImageInfo? info;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            info = ImageInfo.FromStream(stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            info = null; // the decoder is third-party code reading hostile bytes: any failure means "not an image"
        }

        if (info is not { } header || header.Width <= 0 || header.Height <= 0)
        {
            throw new CliDataException(KnownFormat(bytes) is { } format
                ? $"{path}: expected a {format} image that can be decoded, found a damaged, oversized or unsupported one"
                : $"{path}: expected a PNG, JPEG, BMP, GIF, TGA, PGM or IDX image file, found none of these");
        }

        if ((long)header.Width * header.Height > MaxPixels)
        {
            throw new CliDataException($"{path}: expected an image of at most {MaxPixels:N0} pixels, found {header.Width}x{header.Height}");
        }

        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(bytes, ColorComponents.GreyAlpha);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CliDataException($"{path}: expected a decodable image, found {e.Message.ReplaceLineEndings(" ")}", e);
        }

        int width = image.Width, height = image.Height;
        var data = image.Data;
        var grey = new float[width * height];
        bool translucent = false;
        double opaqueSum = 0;
        int opaque = 0;
        for (int i = 0; i < grey.Length; i++)
        {
            byte value = data[2 * i], alpha = data[2 * i + 1];
            grey[i] = value;
            if (alpha < 255) translucent = true;
            if (alpha >= 128)
            {
                opaqueSum += value;
                opaque++;
            }
        }

        if (translucent)
        {
            // Strokes on a transparent canvas: put them on the background they contrast with.
            float background = opaque > 0 && opaqueSum / opaque < 127.5 ? 255f : 0f;
            for (int i = 0; i < grey.Length; i++)
            {
                float alpha = data[2 * i + 1] / 255f;
                grey[i] = grey[i] * alpha + background * (1 - alpha);
            }
        }

        return (grey, width, height);
    }

    /// <summary>Netpbm greymaps: P2 (ASCII) and P5 (binary, 8 or 16 bits), maxval up to 65535, # comments.</summary>
    public static class Pgm
    {
        public static (float[] Grey, int Width, int Height) Decode(byte[] bytes, string path)
        {
            int position = 2;
            int width = Number(bytes, ref position, path, "width", 1, int.MaxValue);
            int height = Number(bytes, ref position, path, "height", 1, int.MaxValue);
            int max = Number(bytes, ref position, path, "maxval", 1, 65535);
            long pixels = (long)width * height;
            if (pixels > MaxPixels)
            {
                throw new CliDataException($"{path}: expected an image of at most {MaxPixels:N0} pixels, found {width}x{height}");
            }

            int size = max > 255 ? 2 : 1;
            long needed = bytes[1] == '2' ? pixels : pixels * size + 1; // P2: at least one digit per pixel; P5: one whitespace, then the pixels
            if (bytes.Length - position < needed)
            {
                throw new CliDataException($"{path}: expected {(bytes[1] == '2' ? "at least " : "")}{needed} bytes of pixel data for {width}x{height}, found {bytes.Length - position}");
            }

            var grey = new float[pixels];
            float scale = 255f / max;
            if (bytes[1] == '2')
            {
                for (int i = 0; i < grey.Length; i++) grey[i] = Number(bytes, ref position, path, $"pixel {i}", 0, max) * scale;
                return (grey, width, height);
            }

            position++; // the single whitespace byte after maxval
            for (int i = 0; i < grey.Length; i++)
            {
                int value = size == 1 ? bytes[position + i] : bytes[position + 2 * i] << 8 | bytes[position + 2 * i + 1];
                grey[i] = Math.Min(value, max) * scale;
            }

            return (grey, width, height);
        }

        private static int Number(byte[] bytes, ref int position, string path, string what, int minimum, int maximum)
        {
            while (position < bytes.Length)
            {
                if (bytes[position] == '#')
                {
                    while (position < bytes.Length && bytes[position] != '\n' && bytes[position] != '\r') position++;
                }
                else if (bytes[position] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f')
                {
                    position++;
                }
                else
                {
                    break;
                }
            }

            int start = position;
            while (position < bytes.Length && position - start < 11 && char.IsAsciiDigit((char)bytes[position])) position++;
            string text = Encoding.ASCII.GetString(bytes, start, position - start);
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum || value > maximum)
            {
                string found = position < bytes.Length || text.Length > 0 ? $"'{text}'" : "the end of the file";
                throw new CliDataException($"{path}: PGM {what}: expected an integer from {minimum} to {maximum}, found {found}");
            }

            return value;
        }
    }
}
