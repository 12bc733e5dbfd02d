using System.Globalization;
using System.Text;
using SimdRnn.IO;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn eval</c>: a saved model's accuracy on the 10,000 MNIST test images, per class, and its confusion matrix.</summary>
public sealed class EvalCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "FILE", "The model (.safetensors) to evaluate"),
        new("data", "DIR", "MNIST directory", "$SIMDRNN_DATA, else ~/.cache/simdrnn/mnist"),
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
        new("threads", "N", "Worker threads", $"processor count, {Environment.ProcessorCount} here"),
        new("json", null, "Print one JSON object on stdout instead of text"),
    ];

    public string Name => "eval";

    public string Summary => "Evaluate a saved model on the MNIST test set: accuracy, per class, confusion matrix";

    public string Usage => CommandLineParser.Usage(
        "simdrnn eval --model FILE [options]",
        "Classifies the 10,000 MNIST test images with a model saved by 'simdrnn train --save' or a PyTorch\n" +
        "state_dict saved as safetensors (see docs/interop.md).\n" +
        "Exit codes: 0 done, 1 bad model or data file, 2 bad options.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        string path = parsed.Raw("model") ?? throw new UsageException("--model FILE is required; run 'simdrnn eval --help' for usage");
        int threads = parsed.PositiveInt("threads", Environment.ProcessorCount);
        bool json = parsed.Has("json");

        using var model = ModelClassifier.LoadMnist(path, context.Cells, parsed.Raw("cell"), threads);
        string directory = MnistSource.ResolveDirectory(parsed.Raw("data"));
        MnistSource.EnsureAvailable(directory, context.Error.WriteLine);
        var test = MnistSource.Load(directory, train: false);

        var evaluation = model.Classifier.Evaluate(test);
        int classes = model.Shape.Classes;
        var confusion = Enumerable.Range(0, classes).Select(r => Enumerable.Range(0, classes).Select(c => evaluation.Confusion[r, c]).ToArray()).ToArray();
        var perClass = confusion.Select((row, r) => row.Sum() == 0 ? double.NaN : (double)row[r] / row.Sum()).ToArray();

        if (json)
        {
            context.Out.WriteLine(ModelJson.Eval(new EvalLine(path, model.Shape.Cell.Info.Name, test.Count, evaluation.Accuracy, evaluation.Cost,
                perClass, confusion, evaluation.SamplesPerSecond)));
        }
        else
        {
            context.Out.Write(Text(path, model.Description, test.Count, evaluation, perClass, confusion));
        }

        return ExitCodes.Success;
    }

    /// <summary>The text report: accuracy, per-class accuracy and the confusion matrix.</summary>
    public static string Text(string path, string description, int count, Evaluation evaluation, double[] perClass, int[][] confusion)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        int correct = (int)Math.Round(evaluation.Accuracy * count);
        text.Append(invariant, $"Model: {path} ({description})\n");
        text.Append(invariant, $"Test accuracy: {evaluation.Accuracy:F4} ({correct:N0} of {count:N0}), mean cost {evaluation.Cost:F6}\n");
        text.Append("Per class:\n");
        for (int c = 0; c < perClass.Length; c++)
        {
            text.Append(invariant, $"  {c}: {perClass[c]:F4} ({confusion[c][c]:N0} of {confusion[c].Sum():N0})\n");
        }

        int width = Math.Max(5, confusion.SelectMany(r => r).Max().ToString(invariant).Length + 1);
        text.Append("Confusion matrix (rows: true digit, columns: predicted):\n");
        text.Append("    ");
        for (int c = 0; c < confusion.Length; c++) text.Append(c.ToString(invariant).PadLeft(width));
        text.Append('\n');
        for (int r = 0; r < confusion.Length; r++)
        {
            text.Append(invariant, $"  {r} ");
            foreach (int value in confusion[r]) text.Append(value.ToString(invariant).PadLeft(width));
            text.Append('\n');
        }

        return text.ToString();
    }
}
