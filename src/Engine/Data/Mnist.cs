namespace SimdRnn.Data;

/// <summary>
/// MNIST as sequences: each 28x28 image is read as 28 time steps of 28 pixels (one image row per step), or in
/// another <see cref="MnistLayout"/> (784 steps of 1 pixel, in order or permuted); pixels scaled to [0, 1], labels 0..9.
/// </summary>
public static class Mnist
{
    public const int Classes = 10;

    /// <summary>
    /// Loads the training set (60,000 images) or the test set (10,000) from <paramref name="directory"/>, which
    /// holds <c>train-images-idx3-ubyte</c> or <c>train-images-idx3-ubyte.gz</c>, and likewise the labels and
    /// the <c>t10k-*</c> files. Rows: steps = image rows, inputs = image columns; pixels: steps = the image's pixels,
    /// row-major, 1 input; permuted: the same in the order of <see cref="MnistLayouts.PixelOrder"/> (28x28 images only).
    /// </summary>
    /// <exception cref="DataUnavailableException">A file is missing from <paramref name="directory"/>.</exception>
    /// <exception cref="DataFormatException">A file is malformed, the counts differ, a label is not 0..9, or the permuted layout meets images that are not 28x28.</exception>
    public static SequenceDataset Load(string directory, bool train, MnistLayout layout = MnistLayout.Rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string imagesPath = Find(directory, train ? MnistFiles.TrainImages : MnistFiles.TestImages);
        string labelsPath = Find(directory, train ? MnistFiles.TrainLabels : MnistFiles.TestLabels);

        var (pixels, count, rows, cols) = IdxReader.ReadImages(imagesPath);
        byte[] rawLabels = IdxReader.ReadLabels(labelsPath);
        if (rawLabels.Length != count)
        {
            throw new DataFormatException(labelsPath,
                $"expected {count} labels, one per image in {imagesPath}, found {rawLabels.Length}");
        }

        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            if (rawLabels[n] >= Classes)
            {
                throw new DataFormatException(labelsPath,
                    $"expected labels 0..{Classes - 1}, found {rawLabels[n]} at index {n}");
            }

            labels[n] = rawLabels[n];
        }

        // [N, T, I], kept as bytes: each pixel stands for pixel / 255.
        switch (layout)
        {
            case MnistLayout.Rows:
                return new SequenceDataset(pixels, 255f, labels, count, steps: rows, inputs: cols, Classes, validate: false);
            case MnistLayout.Pixels:
                return new SequenceDataset(pixels, 255f, labels, count, steps: rows * cols, inputs: 1, Classes, validate: false);
            default:
                if (rows * cols != MnistLayouts.Pixels)
                {
                    throw new DataFormatException(imagesPath, $"expected 28x28 images for the permuted layout (its pixel order has {MnistLayouts.Pixels} entries), found {rows}x{cols}");
                }

                // In place, an image at a time: the training set is 47 MB of bytes, not worth a second copy.
                var image = new byte[MnistLayouts.Pixels];
                for (int n = 0; n < count; n++)
                {
                    var sequence = pixels.AsSpan(n * MnistLayouts.Pixels, MnistLayouts.Pixels);
                    sequence.CopyTo(image);
                    MnistLayouts.Arrange<byte>(layout, image, sequence);
                }

                return new SequenceDataset(pixels, 255f, labels, count, steps: MnistLayouts.Pixels, inputs: 1, Classes, validate: false);
        }
    }

    /// <summary>The raw file if present, else its gzip variant.</summary>
    private static string Find(string directory, MnistFile file)
    {
        string raw = Path.Combine(directory, file.Name);
        if (File.Exists(raw))
        {
            return raw;
        }

        string gzip = raw + MnistFiles.GzipSuffix;
        if (File.Exists(gzip))
        {
            return gzip;
        }

        throw new DataUnavailableException(
            $"MNIST file {file.Name} (or {file.Name}{MnistFiles.GzipSuffix}) was not found in {directory}. "
            + $"The directory must hold the four IDX files {MnistFiles.AllNames}, raw or gzip-compressed.");
    }
}
