using System.Globalization;
using System.Text;
using SimdRnn.Data;
using SimdRnn.Model;

namespace SimdRnn.Cli;

/// <summary>Where a run's data comes from: MNIST, CSV files of the user's sequences, or plain text for a character model.</summary>
public enum DataFormat
{
    Mnist,
    Csv,
    Text,
}

/// <summary>
/// The data options shared by <c>train</c>, <c>eval</c>, <c>bench</c> and <c>sweep</c> (<c>--data-format</c>,
/// <c>--mnist-layout</c>, <c>--task</c>, the files and the CSV form), checked, and the one place that loads them. Every problem with a file leaves as a <see cref="CliDataException"/>.
/// </summary>
/// <param name="Format">mnist, csv or text.</param>
/// <param name="Task">What the targets are; text is always tag (the next character at every step).</param>
/// <param name="Train">The CSV or text training file; null for MNIST and for eval.</param>
/// <param name="Test">The CSV or text test file; null for MNIST, and for text when the held-out tail is used.</param>
/// <param name="Csv">The CSV form (layout, steps, inputs, targets, classes, columns); null unless csv.</param>
/// <param name="Steps">Text: the training window.</param>
/// <param name="MnistDirectory">The <c>--data DIR</c> option (MNIST).</param>
public sealed record DataOptions(DataFormat Format, HeadKind Task, string? Train, string? Test, CsvFormat? Csv, int Steps, string? MnistDirectory)
{
    /// <summary>Characters of a text window by default.</summary>
    public const int DefaultTextSteps = 100;

    /// <summary>The share of a text held out for testing when no --test file is given: its last tenth.</summary>
    public const double HeldOutShare = 0.1;

    /// <summary>How an MNIST image becomes a sequence (<c>--mnist-layout</c>); rows for other formats.</summary>
    public MnistLayout MnistLayout { get; init; } = MnistLayout.Rows;

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("data", "DIR", "MNIST directory", "$SIMDRNN_DATA, else ~/.cache/simdrnn/mnist"),
        new("data-format", "mnist|csv|text", "Training data: MNIST, CSV files of your own sequences, or plain text (a character model)", "mnist"),
        new("mnist-layout", "rows|pixels|permuted", "MNIST as 28 steps of 28 pixels, 784 steps of 1 pixel, or those 784 in a fixed random order (docs/data.md)", "rows; a saved model's own"),
        new("task", "classify|tag|regress|regress-steps", "What CSV targets are: a class per sequence, a class per step, K numbers per sequence, K numbers per step", "classify"),
        new("train", "FILE", "CSV or text training file"),
        new("test", "FILE", "CSV or text test file", "for text: the last tenth of --train"),
        new("steps", "N", "Time steps per CSV sequence; for text the training window", $"text {DefaultTextSteps}; long CSV: counted"),
        new("inputs", "N", "Values per time step of a CSV sequence", "long CSV: the input columns"),
        new("classes", "N", "Class count of CSV labels", "largest training label + 1"),
        new("targets", "K", "Numbers per prediction for --task regress|regress-steps", "1"),
        new("csv-layout", "wide|long", "CSV form: a row per sequence (targets first), or a row per step under a header (see docs/data.md)", "wide"),
        new("id-column", "NAME", "Long CSV: the column naming each row's sequence", "sequence"),
        new("target-columns", "A,B", "Long CSV: the target column(s)", "label, or target for regression"),
        new("input-columns", "A,B", "Long CSV: the input columns", "every other column"),
    ];

    private static readonly (string, DataFormat)[] Formats = [("mnist", DataFormat.Mnist), ("csv", DataFormat.Csv), ("text", DataFormat.Text)];
    private static readonly (string, CsvLayout)[] Layouts = [("wide", CsvLayout.Wide), ("long", CsvLayout.Long)];
    private static readonly string[] CsvOnly = ["task", "inputs", "classes", "targets", "csv-layout", "id-column", "target-columns", "input-columns"];
    private static readonly string[] LongOnly = ["id-column", "target-columns", "input-columns"];

    /// <summary>
    /// Reads and checks the data options. <paramref name="model"/>, for eval, is the model's shape: it fixes the task,
    /// steps and inputs, and only a test file is read. <paramref name="trainedLayout"/> is the MNIST layout of a saved
    /// model (eval, or train's --resume): MNIST is read that way, and a different --mnist-layout is refused.
    /// </summary>
    public static DataOptions Read(ParsedArguments parsed, NetworkShape? model = null, MnistLayout? trainedLayout = null)
    {
        var format = parsed.Choice("data-format", DataFormat.Mnist, Formats);
        bool training = model is null;
        if (format == DataFormat.Mnist)
        {
            if (new[] { "train", "test", "steps" }.Concat(CsvOnly).FirstOrDefault(parsed.Has) is { } stray)
            {
                throw new UsageException($"--{stray} needs --data-format csv{(stray is "train" or "test" or "steps" ? " or text" : "")}");
            }

            var mnistLayout = parsed.Choice("mnist-layout", trainedLayout ?? MnistLayout.Rows, MnistLayouts.Names);
            if (trainedLayout is { } trained && mnistLayout != trained)
            {
                throw new UsageException(
                    $"--mnist-layout {parsed.Raw("mnist-layout")} differs from the model's layout, {MnistLayouts.NameOf(trained)}: a model reads images as it was trained (omit the option)");
            }

            return new DataOptions(format, HeadKind.Classify, null, null, null, 0, parsed.Raw("data")) { MnistLayout = mnistLayout };
        }

        if (parsed.Has("mnist-layout")) throw new UsageException($"--mnist-layout needs --data-format mnist (it says how an MNIST image becomes a sequence), not {FormatName(format)}");

        if (parsed.Has("data")) throw new UsageException($"--data DIR is MNIST's directory; with --data-format {FormatName(format)} give --train FILE and --test FILE");
        if (training && !parsed.Has("train")) throw new UsageException($"--data-format {FormatName(format)} needs --train FILE");
        if (!training && parsed.Has("train")) throw new UsageException("--train: eval reads only the test file (--test FILE)");
        if (format == DataFormat.Csv && !parsed.Has("test")) throw new UsageException("--data-format csv needs --test FILE");
        if (!training && !parsed.Has("test")) throw new UsageException($"--data-format {FormatName(format)} needs --test FILE");

        if (format == DataFormat.Text)
        {
            if (CsvOnly.FirstOrDefault(parsed.Has) is { } csvOption) throw new UsageException($"--{csvOption} needs --data-format csv (text is always a character model)");
            if (model is not null && parsed.Has("steps")) throw new UsageException("--steps: a text model reads the window it was trained with");
            int window = model?.Steps ?? (parsed.Has("steps") ? parsed.PositiveInt("steps", 0) : DefaultTextSteps);
            return new DataOptions(format, HeadKind.Tag, parsed.Raw("train"), parsed.Raw("test"), null, window, null);
        }

        var layout = parsed.Choice("csv-layout", CsvLayout.Wide, Layouts);
        if (layout == CsvLayout.Wide && LongOnly.FirstOrDefault(parsed.Has) is { } longOption) throw new UsageException($"--{longOption} needs --csv-layout long");

        HeadKind task = model?.Head.Kind ?? parsed.Choice("task", HeadKind.Classify, Head.Kinds);
        if (model is not null && parsed.Has("task") && parsed.Choice("task", task, Head.Kinds) != task)
        {
            throw new UsageException($"--task {parsed.Raw("task")} differs from the model's head ({model.Head.Name})");
        }

        bool classifies = task is HeadKind.Classify or HeadKind.Tag;
        if (classifies && parsed.Has("targets")) throw new UsageException($"--targets gives the numbers per prediction of --task regress or regress-steps, not {Head.NameOf(task)}");
        if (!classifies && parsed.Has("classes")) throw new UsageException($"--classes is for --task classify or tag, not {Head.NameOf(task)}");

        int? steps = model?.Steps ?? (parsed.Has("steps") ? parsed.PositiveInt("steps", 0) : null);
        int? inputs = model?.Inputs ?? (parsed.Has("inputs") ? parsed.PositiveInt("inputs", 0) : null);
        if (layout == CsvLayout.Wide && (steps is null || inputs is null))
        {
            throw new UsageException($"--data-format csv needs --{(steps is null ? "steps" : "inputs")} N (and both --steps and --inputs for the wide layout)");
        }

        var targetColumns = Names(parsed, "target-columns");
        var inputColumns = Names(parsed, "input-columns");
        int targets = model is { Head.Classifies: false } ? model.Outputs : parsed.Has("targets") ? parsed.PositiveInt("targets", 1) : (classifies ? 1 : targetColumns?.Count ?? 1);
        if (classifies && targetColumns is { Count: not 1 }) throw ParsedArguments.Expected("target-columns", "one label column for a classifying task", parsed.Raw("target-columns")!);
        if (!classifies && targetColumns is { } columns && columns.Count != targets)
        {
            throw new UsageException($"--target-columns names {columns.Count} column(s), but there are {targets} targets (--targets)");
        }

        int? classes = model is { Head.Classifies: true } ? model.Outputs : parsed.Has("classes") ? parsed.PositiveInt("classes", 0) : null;
        if (classes < 2) throw ParsedArguments.Expected("classes", "an integer of at least 2", parsed.Raw("classes")!);

        // A row holds the targets and steps x inputs values, counted in int by the reader.
        long perStep = (long)(inputs ?? 1) + (task is HeadKind.Tag or HeadKind.RegressSteps ? (classifies ? 1 : targets) : 0);
        if (steps is int s && (long)s * perStep + targets >= int.MaxValue)
        {
            throw new UsageException($"--steps {s} x --inputs {inputs} is more values than a CSV row can hold (at most {int.MaxValue - 1})");
        }

        var csv = new CsvFormat
        {
            Task = task,
            Layout = layout,
            Steps = steps,
            Inputs = inputs,
            Targets = targets,
            Classes = classes,
            IdColumn = parsed.Raw("id-column") ?? "sequence",
            TargetColumns = targetColumns,
            InputColumns = inputColumns,
        };
        return new DataOptions(format, task, parsed.Raw("train"), parsed.Raw("test"), csv, steps ?? 0, null);
    }

    /// <summary>
    /// The training and test sets; <paramref name="log"/> hears MNIST's fetch. A resumed character model brings its
    /// <paramref name="vocabulary"/>, which the text is read with instead of one of its own.
    /// </summary>
    public LoadedData Load(Action<string> log, Vocabulary? vocabulary = null)
    {
        switch (Format)
        {
            case DataFormat.Mnist:
                string directory = MnistSource.ResolveDirectory(MnistDirectory);
                MnistSource.EnsureAvailable(directory, log);
                var train = MnistSource.Load(directory, train: true, MnistLayout);
                var test = MnistSource.Load(directory, train: false, MnistLayout);
                return new LoadedData(train, test, null,
                    string.Create(CultureInfo.InvariantCulture, $"MNIST from {directory}: {train.Count:N0} training and {test.Count:N0} test images as {MnistLayouts.Describe(MnistLayout)}"));
            case DataFormat.Csv:
                return Translate(() =>
                {
                    var csvTrain = CsvDataset.Load(Train!, Csv!);
                    var testFormat = Csv! with
                    {
                        Steps = csvTrain.Steps,
                        Inputs = csvTrain.Inputs,
                        Classes = csvTrain.Head.Classifies ? csvTrain.Head.Outputs : null,
                    };
                    var csvTest = CsvDataset.Load(Test!, testFormat);
                    return new LoadedData(csvTrain, csvTest, null, string.Create(CultureInfo.InvariantCulture,
                        $"CSV {Train} and {Test}: {csvTrain.Count:N0} training and {csvTest.Count:N0} test sequences of {csvTrain.Steps} x {csvTrain.Inputs}, {Describe(csvTrain.Head)}"));
                });
            default:
                return Translate(() => LoadText(vocabulary));
        }
    }

    /// <summary>The test set alone, read for a model of <paramref name="shape"/> (eval).</summary>
    public SequenceDataset LoadTest(NetworkShape shape, Vocabulary? vocabulary, Action<string> log)
    {
        switch (Format)
        {
            case DataFormat.Mnist:
                string directory = MnistSource.ResolveDirectory(MnistDirectory);
                MnistSource.EnsureAvailable(directory, log);
                return MnistSource.Load(directory, train: false, MnistLayout);
            case DataFormat.Csv:
                return Translate(() => CsvDataset.Load(Test!, Csv!));
            default:
                if (vocabulary is null) throw new CliDataException("--data-format text needs a character model (one saved by 'simdrnn train --data-format text'), and this model has no vocabulary");
                return Translate(() => TextCorpus.Windows(TextCorpus.Read(Test!), vocabulary, shape.Steps, Test!));
        }
    }

    private LoadedData LoadText(Vocabulary? given)
    {
        var text = TextCorpus.Read(Train!);
        Rune[] trainText, testText;
        string testName;
        if (Test is { } testPath)
        {
            trainText = text;
            testText = TextCorpus.Read(testPath);
            testName = testPath;
        }
        else
        {
            int split = (int)(text.Length * (1 - HeldOutShare));
            trainText = text[..split];
            testText = text[split..];
            testName = $"the last tenth of {Train}";
        }

        var vocabulary = given ?? Vocabulary.Of(trainText);
        var train = TextCorpus.Windows(trainText, vocabulary, Steps, Train!);
        var test = TextCorpus.Windows(testText, vocabulary, Steps, testName);
        return new LoadedData(train, test, vocabulary, string.Create(CultureInfo.InvariantCulture,
            $"Text {Train} ({trainText.Length:N0} characters) and {testName} ({testText.Length:N0}): a vocabulary of {vocabulary.Count} characters, {train.Count:N0} training and {test.Count:N0} test windows of {Steps}"));
    }

    private static string Describe(Head head) => head.Kind switch
    {
        HeadKind.Classify => $"{head.Outputs} classes",
        HeadKind.Tag => $"a class per step, {head.Outputs} classes",
        HeadKind.Regress => $"{head.Outputs} target{(head.Outputs == 1 ? "" : "s")}",
        _ => $"{head.Outputs} target{(head.Outputs == 1 ? "" : "s")} per step",
    };

    private static string FormatName(DataFormat format) => format.ToString().ToLowerInvariant();

    private static List<string>? Names(ParsedArguments parsed, string option)
    {
        if (parsed.Raw(option) is not { } raw) return null;
        var names = raw.Split(',').Select(n => n.Trim()).ToList();
        if (names.Any(n => n.Length == 0)) throw ParsedArguments.Expected(option, "column names separated by commas", raw);
        return names;
    }

    private static T Translate<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
        {
            throw new CliDataException(e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new CliDataException(e.Message, e);
        }
    }
}

/// <summary>A run's data: training and test sets, a character model's vocabulary, and a line that says what was loaded.</summary>
public sealed record LoadedData(SequenceDataset Train, SequenceDataset Test, Vocabulary? Vocabulary, string Description);
