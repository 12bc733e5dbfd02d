using System.Globalization;
using System.Numerics.Tensors;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>
/// <c>simdrnn predict</c>: the digit in each image file (or every image of an IDX file) and its probability; with
/// <c>--csv FILE</c>, the head's outputs for each sequence of a CSV file (any model).
/// </summary>
public sealed class PredictCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "FILE", "The model (.safetensors)"),
        new("limit", "N", "Only the first N images of each IDX file (or sequences of --csv)"),
        new("csv", "FILE", "Sequences to predict, one per row of T x I values (no targets), instead of images"),
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
        new("json", null, "Print one JSON object per image on stdout instead of text"),
    ];

    public string Name => "predict";

    public string Summary => "Classify digits in PNG, JPEG, PGM or IDX image files, or predict for CSV sequences, with a saved model";

    public string Usage => CommandLineParser.Usage(
        "simdrnn predict --model FILE [options] IMAGE...  |  simdrnn predict --model FILE --csv FILE",
        "Prints the digit in each image and its probability. Images of any size, grey or colour, are turned\n" +
        "into 28x28 luminance with the digit bright on dark (a light background is inverted, judged from the\n" +
        "border) and resized by area averaging; an IDX image file gives a line per image.\n" +
        "With --csv FILE, each row is one sequence of the model's T x I values, step by step; the line per row\n" +
        "gives the class and its probability (a class per step for a tagging model) or the predicted values.\n" +
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

        string path = parsed.Required("model", "predict");
        string? csv = parsed.Raw("csv");
        if (csv is not null && parsed.Positionals.Count > 0) throw new UsageException("give either --csv FILE or image files, not both");
        if (csv is null && parsed.Positionals.Count == 0) throw new UsageException("no image files given (or --csv FILE); run 'simdrnn predict --help' for usage");
        int? limit = parsed.Has("limit") ? parsed.PositiveInt("limit", 0) : null;
        bool json = parsed.Has("json");

        using var model = ModelEvaluator.Load(path, context.Cells, parsed.Raw("cell"), threads: 1);
        var evaluator = model.Evaluator;
        if (csv is not null) return PredictCsv(csv, limit, json, model.Shape, evaluator, context);

        // The images are read as the model was trained to read them: rows, pixels or permuted pixels.
        var layout = model.Description.MnistLayout;
        ModelLoading.CheckMnistShaped(path, model.Shape, layout);
        foreach (string file in parsed.Positionals)
        {
            var images = DigitImages.Read(file, limit);
            if (images.Count == 0) continue;
            var pixels = new float[images.Count * MnistLayouts.Pixels];
            for (int i = 0; i < images.Count; i++) images[i].Pixels.CopyTo(pixels, i * MnistLayouts.Pixels);
            var values = new float[pixels.Length];
            MnistLayouts.Arrange<float>(layout, pixels, values);
            var data = new SequenceDataset(values, new int[images.Count], MnistLayouts.Steps(layout), MnistLayouts.Inputs(layout), model.Shape.Outputs);
            var probabilities = evaluator.Predict(data);
            int classes = model.Shape.Outputs;
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

    // Each row's outputs: "row 3: 7 (0.9981)", per step "row 3: 1 0 0 2", or values "row 3: 0.25 -1.5".
    private static int PredictCsv(string file, int? limit, bool json, SimdRnn.Model.NetworkShape shape, Evaluator evaluator, CliContext context)
    {
        SequenceDataset data;
        try
        {
            data = CsvDataset.Load(file, new CsvFormat { Task = SimdRnn.Model.HeadKind.Regress, Steps = shape.Steps, Inputs = shape.Inputs, InputsOnly = true });
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
        {
            throw new CliDataException(e.Message, e);
        }

        if (limit is int n && n < data.Count) data = data.Take(n);
        var outputs = evaluator.Predict(data);
        int per = shape.OutputsPerSequence, width = shape.Outputs;
        for (int row = 0; row < data.Count; row++)
        {
            var values = outputs.AsSpan(row * per, per).ToArray();
            int[]? classes = shape.Head.Classifies
                ? Enumerable.Range(0, per / width).Select(p => TensorPrimitives.IndexOfMax<float>(values.AsSpan(p * width, width))).ToArray()
                : null;
            if (json)
            {
                context.Out.WriteLine(ModelJson.SequencePrediction(new SequencePredictionLine(file, row, classes, values)));
                continue;
            }

            string text = classes is null
                ? string.Join(' ', values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))
                : shape.Head.PerStep
                    ? string.Join(' ', classes)
                    : string.Create(CultureInfo.InvariantCulture, $"{classes[0]} ({values[classes[0]]:F4})");
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{file}[{row}]: {text}"));
        }

        context.Out.Flush();
        return ExitCodes.Success;
    }

    /// <summary><c>digit.png: 7 (0.9981)</c>, or <c>t10k-images-idx3-ubyte[12]: 9 (0.9990)</c>.</summary>
    public static string Line(DigitImage image, int digit, float probability) => string.Create(CultureInfo.InvariantCulture,
        $"{image.Source}{(image.Index is int index ? $"[{index}]" : "")}: {digit} ({probability:F4})");
}
