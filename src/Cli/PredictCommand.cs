using System.Globalization;
using System.Numerics.Tensors;
using SimdRnn.Data;
using SimdRnn.IO;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn predict</c>: the digit in each image file (or every image of an IDX file) and its probability.</summary>
public sealed class PredictCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "FILE", "The model (.safetensors)"),
        new("limit", "N", "Only the first N images of each IDX file"),
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
        new("json", null, "Print one JSON object per image on stdout instead of text"),
    ];

    public string Name => "predict";

    public string Summary => "Classify digits in PNG, JPEG, PGM or IDX image files with a saved model";

    public string Usage => CommandLineParser.Usage(
        "simdrnn predict --model FILE [options] IMAGE...",
        "Prints the digit in each image and its probability. Images of any size, grey or colour, are turned\n" +
        "into 28x28 luminance with the digit bright on dark (a light background is inverted, judged from the\n" +
        "border) and resized by area averaging; an IDX image file gives a line per image.\n" +
        "Exit codes: 0 done, 1 bad model or image file, 2 bad options.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options, maxPositionals: int.MaxValue);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        string path = parsed.Raw("model") ?? throw new UsageException("--model FILE is required; run 'simdrnn predict --help' for usage");
        if (parsed.Positionals.Count == 0) throw new UsageException("no image files given; run 'simdrnn predict --help' for usage");
        int? limit = parsed.Has("limit") ? parsed.PositiveInt("limit", 0) : null;
        bool json = parsed.Has("json");

        using var model = ModelClassifier.LoadMnist(path, context.Cells, parsed.Raw("cell"), threads: 1);
        var classifier = model.Classifier;
        foreach (string file in parsed.Positionals)
        {
            var images = DigitImages.Read(file, limit);
            if (images.Count == 0) continue;
            var values = new float[images.Count * DigitImages.Side * DigitImages.Side];
            for (int i = 0; i < images.Count; i++) images[i].Pixels.CopyTo(values, i * DigitImages.Side * DigitImages.Side);
            var data = new SequenceDataset(values, new int[images.Count], DigitImages.Side, DigitImages.Side, model.Shape.Classes);
            var probabilities = classifier.Probabilities(data);
            int classes = model.Shape.Classes;
            for (int i = 0; i < images.Count; i++)
            {
                var row = probabilities.AsSpan(i * classes, classes);
                int digit = TensorPrimitives.IndexOfMax<float>(row);
                var image = images[i];
                context.Out.WriteLine(json
                    ? ModelJson.Prediction(new PredictionLine(image.Source, image.Index, digit, row[digit], row.ToArray()))
                    : Line(image, digit, row[digit]));
            }

            context.Out.Flush();
        }

        return ExitCodes.Success;
    }

    /// <summary><c>digit.png: 7 (0.9981)</c>, or <c>t10k-images-idx3-ubyte[12]: 9 (0.9990)</c>.</summary>
    public static string Line(DigitImage image, int digit, float probability) => string.Create(CultureInfo.InvariantCulture,
        $"{image.Source}{(image.Index is int index ? $"[{index}]" : "")}: {digit} ({probability:F4})");
}
