using System.Globalization;
using System.Text;
using SimdRnn.IO;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>
/// <c>simdrnn eval</c>: a saved model's test figures, by its head: accuracy per class and the confusion matrix for
/// classifying heads (the 10,000 MNIST test images by default), RMSE and MAE for regression, bits per character for text.
/// </summary>
public sealed class EvalCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "FILE", "The model (.safetensors) to evaluate"),
        .. DataOptions.Options.Where(o => o.Name is not ("train" or "task" or "steps" or "inputs" or "classes" or "targets")),
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
        new("threads", "N", "Worker threads", $"processor count, {Environment.ProcessorCount} here"),
        new("json", null, "Print one JSON object on stdout instead of text"),
    ];

    public string Name => "eval";

    public string Summary => "Evaluate a saved model on test data: accuracy, per class, confusion matrix; RMSE and MAE; bits per character";

    public string Usage => CommandLineParser.Usage(
        "simdrnn eval --model FILE [options]",
        "Evaluates a model saved by 'simdrnn train --save' or a PyTorch state_dict saved as safetensors (see\n" +
        "docs/interop.md) on the 10,000 MNIST test images, or on --test FILE with --data-format csv|text (the\n" +
        "model gives the task, steps and inputs).\n" +
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

        string path = parsed.Required("model", "eval");
        int threads = parsed.PositiveInt("threads", Environment.ProcessorCount);
        bool json = parsed.Has("json");

        using var model = ModelEvaluator.Load(path, context.Cells, parsed.Raw("cell"), threads);
        var data = DataOptions.Read(parsed, model.Shape, model.Description.MnistLayout);
        if (data.Format == DataFormat.Mnist) ModelLoading.CheckMnistShaped(path, model.Shape, data.MnistLayout);
        var test = data.LoadTest(model.Shape, model.Description.Vocabulary, context.Error.WriteLine);

        var evaluator = model.Evaluator;
        Evaluation evaluation;
        try
        {
            evaluation = evaluator.Evaluate(test);
        }
        catch (ArgumentException e)
        {
            throw new CliDataException($"{data.Test ?? "the test data"}: {e.Message}", e);
        }

        bool text = model.Description.Vocabulary is not null;
        int[][]? confusion = evaluation.Confusion is { } matrix
            ? Enumerable.Range(0, matrix.GetLength(0)).Select(r => Enumerable.Range(0, matrix.GetLength(1)).Select(c => matrix[r, c]).ToArray()).ToArray()
            : null;
        var perClass = confusion?.Select((row, r) => row.Sum() == 0 ? double.NaN : (double)row[r] / row.Sum()).ToArray();
        int predictions = test.Count * test.PredictionsPerSequence;

        if (json)
        {
            context.Out.WriteLine(ModelJson.Eval(EvalLine.Of(path, model.Shape.Cell.Info.Name, test.Count, evaluation, text) with
            {
                PerClassAccuracy = perClass,
                Confusion = confusion,
            }));
        }
        else if (confusion is not null && !text)
        {
            context.Out.Write(Text(path, model.Text, predictions, evaluation, perClass!, confusion));
        }
        else
        {
            context.Out.WriteLine($"Model: {path} ({model.Text})");
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{TrainCommand.TestFigures(evaluation, text, ": ")}, mean loss {evaluation.Loss:F6} over {predictions:N0} predictions of {test.Count:N0} sequences"));
        }

        return ExitCodes.Success;
    }

    /// <summary>The text report of a classifying head: accuracy, per-class accuracy and the confusion matrix.</summary>
    public static string Text(string path, string description, int count, Evaluation evaluation, double[] perClass, int[][] confusion)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        double accuracy = evaluation.Accuracy ?? double.NaN;
        int correct = (int)Math.Round(accuracy * count);
        text.Append(invariant, $"Model: {path} ({description})\n");
        text.Append(invariant, $"Test accuracy: {accuracy:F4} ({correct:N0} of {count:N0}), mean cost {evaluation.Loss:F6}\n");
        text.Append("Per class:\n");
        for (int c = 0; c < perClass.Length; c++)
        {
            text.Append(invariant, $"  {c}: {perClass[c]:F4} ({confusion[c][c]:N0} of {confusion[c].Sum():N0})\n");
        }

        int width = Math.Max(5, confusion.SelectMany(r => r).Max().ToString(invariant).Length + 1);
        text.Append("Confusion matrix (rows: true class, columns: predicted):\n");
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
