using System.Globalization;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Kernels;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>What <c>simdrnn sweep</c> was asked to do, checked.</summary>
public sealed record SweepSettings(SweepGrid Grid, IReadOnlyList<CellEntry> Cells, Shard Shard, string OutDirectory, DataOptions Data, int Threads)
{
    /// <summary>MNIST's <c>--data DIR</c>, or null (the sweep's data may also be CSV or text).</summary>
    public string? DataDirectory => Data.MnistDirectory;
}

/// <summary>
/// <c>simdrnn sweep</c>: trains every point of a grid of options (or one shard of it) and appends one
/// record per point and epoch count to <c>DIR/results.jsonl</c>. Each point trains once, to the largest
/// epoch count, with a constant learning rate, recording the smaller counts on the way. A rerun skips
/// the records already there, so a killed sweep loses at most the point in progress.
/// </summary>
/// <param name="start">Builds a run; a <see cref="Trainer"/> unless a test supplies a stand-in.</param>
public sealed class SweepCommand(Func<TrainSettings, SequenceDataset, ITrainingRun>? start = null) : ICliCommand
{
    private static readonly TrainOptions Defaults = new();

    private readonly Func<TrainSettings, SequenceDataset, ITrainingRun> start = start ?? ((settings, train) => new TrainCommand.TrainerRun(settings, train));

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("cell", "NAMES", "Recurrent cells (see 'simdrnn cells')", Defaults.Cell),
        new("lr", "RATES", "Learning rates, constant through training", Text(Defaults.LearningRate)),
        new("epochs", "COUNTS", "Epoch counts; each point trains to the largest and records the others on the way", Text(Defaults.Epochs)),
        new("batch", "SIZES", "Sequences per mini-batch", Text(Defaults.Batch)),
        new("hidden", "COUNTS", "Hidden units per layer", Text(Defaults.Hidden)),
        new("layers", "COUNTS", "Stacked recurrent layers", Text(Defaults.Layers)),
        new("seed", "SEEDS", "Seeds of the initial weights and the shuffling", Text(Defaults.Seed)),
        new("limit", "N", "Train on the first N training images only (the test set is always whole)"),
        new("threads", "N", "Worker threads (never change the numbers)", $"processor count, {Environment.ProcessorCount} here"),
        .. DataOptions.Options,
        new("out", "DIR", "Results directory: DIR/results.jsonl is appended to, and read to skip finished points (required)"),
        new("shard", "i/n", "Run only the points whose index mod n is i (0 <= i < n)", "0/1"),
    ];

    public string Name => "sweep";

    public string Summary => "Train every combination of option lists, resumable and shardable, into DIR/results.jsonl";

    public string Usage => CommandLineParser.Usage(
        "simdrnn sweep --out DIR [--cell rnn,lstm,gru] [--lr 0.1,0.01,0.001] [--epochs 30,50,100] [--batch 64,128,256]\n" +
        "              [--hidden 128,256] [--layers N,...] [--seed N,...] [--limit N] [--data DIR] [--shard i/n]",
        "Every list option takes comma-separated values; the grid is their product. Points are ordered as the\n" +
        "nested loops cell, lr, batch, hidden, layers, seed (seed fastest), each list as given. A point trains\n" +
        "once to the largest epoch count with a constant learning rate (Adam, clip 5) and records every count\n" +
        "of --epochs on the way: the same numbers as separate runs. A point is recorded as diverged when the\n" +
        "loss is not finite or test accuracy is at chance level, and the sweep goes on. A rerun skips finished\n" +
        "points. With --shard i/n, n machines running the same command with i = 0..n-1 split the grid; merge\n" +
        "their DIRs by concatenating results.jsonl or with 'simdrnn report DIR1 DIR2 ...'.\n" +
        "The data options are train's (MNIST by default; --data-format csv|text); the records rank points by\n" +
        "test accuracy, so the task must classify (classify, tag, or text).\n" +
        "Exit codes: 0 done (diverged points included), 1 data or other error, 2 bad options, 130 cancelled.",
        Options);

    /// <summary>Checks every option, the cells against <paramref name="cells"/>; throws <see cref="UsageException"/>.</summary>
    public static SweepSettings ReadSettings(ParsedArguments parsed, IReadOnlyList<CellEntry> cells)
    {
        var grid = new SweepGrid(
            SweepLists.Names(parsed, "cell", Defaults.Cell),
            SweepLists.PositiveNumbers(parsed, "lr", Text(Defaults.LearningRate)),
            SweepLists.PositiveInts(parsed, "batch", Text(Defaults.Batch)),
            SweepLists.PositiveInts(parsed, "hidden", Text(Defaults.Hidden)),
            SweepLists.PositiveInts(parsed, "layers", Text(Defaults.Layers)),
            SweepLists.Ints(parsed, "seed", Text(Defaults.Seed)),
            SweepLists.PositiveInts(parsed, "epochs", Text(Defaults.Epochs)),
            parsed.Has("limit") ? parsed.PositiveInt("limit", 0) : null);

        var entries = new List<CellEntry>();
        foreach (var name in grid.Cells)
        {
            var cell = CellCatalog.Find(cells, name);
            if (cell is null)
            {
                throw cells.Count == 0
                    ? new UsageException($"--cell '{name}' is not available: no cells are registered")
                    : new UsageException($"--cell must list cells among {string.Join(", ", cells.Select(c => c.Info.Name))}, got '{name}'");
            }

            entries.Add(cell);
        }

        var shard = parsed.Raw("shard") is { } rawShard ? Shard.Parse(rawShard) : Shard.All;
        int threads = parsed.PositiveInt("threads", Defaults.Threads);
        string output = parsed.Raw("out") ?? throw new UsageException("--out DIR is required: the directory of results.jsonl");
        if (output.Length == 0) throw ParsedArguments.Expected("out", "a directory", output);
        var data = DataOptions.Read(parsed);
        if (data.Task is SimdRnn.Model.HeadKind.Regress or SimdRnn.Model.HeadKind.RegressSteps)
        {
            throw new UsageException($"--task {SimdRnn.Model.Head.NameOf(data.Task)}: a sweep records and ranks test accuracy, so it takes classifying tasks (classify, tag, text); train each regression point with 'simdrnn train'");
        }

        return new SweepSettings(grid, entries, shard, output, data, threads);
    }

    /// <summary>Creates the output directory if needed and opens its results file; any failure is a <see cref="UsageException"/> naming <c>--out</c>.</summary>
    public static SweepResults OpenResults(string directory, out IReadOnlyList<SweepRecord> existing, Action<string> log)
    {
        if (File.Exists(directory)) throw new UsageException($"--out must be a directory, got '{directory}', which is a file");
        try
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, SweepResults.FileName);
            if (Directory.Exists(path)) throw new UsageException($"--out '{directory}' holds a directory named {SweepResults.FileName}; expected a file");
            return SweepResults.Open(path, out existing, log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out '{directory}' is not a writable directory: {e.Message.ReplaceLineEndings(" ").Trim()}");
        }
    }

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        var settings = ReadSettings(parsed, context.Cells);
        var grid = settings.Grid;
        var error = context.Error;
        var cancellation = context.Cancellation;

        using var results = OpenResults(settings.OutDirectory, out var existing, error.WriteLine);
        var recorded = existing.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var checkpoints = grid.Checkpoints;
        var shardPoints = grid.Points(settings.Shard);
        var todo = shardPoints.Where(p => checkpoints.Any(e => !recorded.Contains(p.Point.Key(e)))).ToList();

        if (todo.Count == 0)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Sweep: all {shardPoints.Count} point{Plural(shardPoints.Count)} of shard {settings.Shard.Index}/{settings.Shard.Count} are in {Path.Combine(settings.OutDirectory, SweepResults.FileName)}; nothing to train. " +
                $"Run 'simdrnn report {settings.OutDirectory}' for the table and charts."));
            return ExitCodes.Success;
        }

        var data = settings.Data.Load(error.WriteLine);
        SequenceDataset train = data.Train, test = data.Test;
        if (grid.Limit is int limit && limit < train.Count) train = train.Take(limit);

        int total = grid.Points().Count;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Sweep: {total} point{Plural(total)} in the grid, {shardPoints.Count} in shard {settings.Shard.Index}/{settings.Shard.Count}, " +
            $"{shardPoints.Count - todo.Count} already in {Path.Combine(settings.OutDirectory, SweepResults.FileName)}, {todo.Count} to train; " +
            $"epochs {string.Join(",", checkpoints)}, constant learning rate, threads {settings.Threads}, SIMD {Simd.Path}"));
        error.WriteLine(settings.Data.Format == DataFormat.Mnist
            ? string.Create(CultureInfo.InvariantCulture, $"MNIST from {MnistSource.ResolveDirectory(settings.DataDirectory)}: {train.Count:N0} training and {test.Count:N0} test images")
            : data.Description);

        double Work(SweepPoint point) =>
            SweepProgress.Work(point, CellFor(settings, point).Info.Gates.Count, grid.MaxEpochs, train.Count, test.Count);
        var progress = new SweepProgress(error, context.ErrorIsTerminal, ProgressBar.TerminalWidth(), todo.Sum(p => Work(p.Point)));

        int diverged = 0;
        for (int i = 0; i < todo.Count; i++)
        {
            var point = todo[i].Point;
            int number = shardPoints.Count - todo.Count + i + 1;
            if (cancellation.IsCancellationRequested) return Cancelled(progress, settings, $"before point {number}/{shardPoints.Count}");

            progress.StartPoint(number, shardPoints.Count, point, Work(point));
            var outcome = TrainPoint(settings, point, recorded, train, test, results, progress, context);
            progress.PointDone();
            if (outcome == PointOutcome.Cancelled) return Cancelled(progress, settings, $"in point {number}/{shardPoints.Count}");
            if (outcome == PointOutcome.Diverged) diverged++;
        }

        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Sweep done: {todo.Count} point{Plural(todo.Count)} trained ({diverged} diverged), {shardPoints.Count - todo.Count} skipped. " +
            $"Run 'simdrnn report {settings.OutDirectory}' for the table and charts."));
        return ExitCodes.Success;
    }

    /// <summary><c>done     lstm lr 0.01 batch 128 hidden 128 layers 1 seed 1 epochs 3: test accuracy 0.9512 (42.1 s)</c></summary>
    public static string ResultText(SweepRecord record)
    {
        string outcome = record.IsDiverged
            ? record.Reason ?? "diverged"
            : string.Create(CultureInfo.InvariantCulture, $"test accuracy {record.FinalAccuracy:F4} ({record.Seconds:F1} s)");
        return string.Create(CultureInfo.InvariantCulture, $"{record.Status,-8} {record.Point.Label} epochs {record.Epochs}: {outcome}");
    }

    private enum PointOutcome { Done, Diverged, Cancelled }

    // Trains one point to the largest epoch count, appending a record at each checkpoint not yet recorded.
    private PointOutcome TrainPoint(
        SweepSettings settings, SweepPoint point, HashSet<string> recorded, SequenceDataset train, SequenceDataset test,
        SweepResults results, SweepProgress progress, CliContext context)
    {
        var cancellation = context.Cancellation;
        var checkpoints = settings.Grid.Checkpoints;
        int epochs = settings.Grid.MaxEpochs;
        var options = new TrainOptions
        {
            Cell = point.Cell,
            Hidden = point.Hidden,
            Layers = point.Layers,
            Batch = point.Batch,
            LearningRate = point.LearningRate,
            Epochs = epochs,
            // A cosine schedule would depend on the epoch count, so a run to 100 epochs would not pass through a run to 30.
            Schedule = LearningRateSchedule.Constant,
            Seed = point.Seed,
            Threads = settings.Threads,
            Limit = point.Limit,
        };

        using var run = start(new TrainSettings(CellFor(settings, point), options, settings.Data, Json: false), train);
        var costs = new List<double>();
        var accuracies = new List<double>();
        double seconds = 0, samples = 0;
        string? reason = null;

        void Append(int checkpoint, string status)
        {
            string key = point.Key(checkpoint);
            if (!recorded.Add(key)) return;
            var record = new SweepRecord(
                key, point.Cell, point.LearningRate, point.Batch, point.Hidden, point.Layers, point.Seed, point.Limit, checkpoint,
                status, reason, [.. costs], [.. accuracies], accuracies.Count == 0 ? null : accuracies[^1],
                seconds, seconds > 0 ? samples / seconds : 0,
                options.Optimizer.ToString().ToLowerInvariant(), options.Clip, options.Schedule.ToString().ToLowerInvariant(),
                settings.Threads, Simd.Path.ToString(), CliApp.Version);
            results.Append(record);
            progress.Clear();
            context.Out.WriteLine(ResultText(record));
            context.Out.Flush();
        }

        var observer = new PointObserver(progress, epochs, report =>
        {
            seconds += report.Train.Seconds;
            samples += report.Train.SamplesPerSecond * report.Train.Seconds;
            double accuracy = report.Test.Score;
            costs.Add(report.Train.Cost);
            accuracies.Add(accuracy);
            progress.EpochDone(report.Train.Epoch, epochs, report.Train, accuracy);

            // A divergence found on this epoch's accuracy is the loop's to report; its checkpoint is not recorded as done.
            if (DivergenceCheck.Check(report.Train, report.Test) is null && checkpoints.Contains(report.Train.Epoch)) Append(report.Train.Epoch, SweepRecord.Done);
        });
        var fit = Fit.Run(run, test, new FitOptions { Epochs = epochs }, observer, cancellation);
        progress.Clear();
        if (fit.Outcome == FitOutcome.Cancelled) return PointOutcome.Cancelled;
        if (fit.Outcome == FitOutcome.Completed) return PointOutcome.Done;

        reason = fit.Reason;
        progress.WriteLine($"{point.Label}: {reason}");
        // Checkpoints before the divergence are recorded as done already; Append skips them.
        foreach (int checkpoint in checkpoints) Append(checkpoint, SweepRecord.Diverged);

        return PointOutcome.Diverged;
    }

    /// <summary>The sweep's view of one point's epoch loop: the progress line and each finished epoch.</summary>
    private sealed class PointObserver(SweepProgress progress, int epochs, Action<EpochReport> epochDone) : IFitObserver
    {
        public void BatchDone(int epoch, EpochProgress batch) => progress.Report(epoch, epochs, batch);

        public void EpochDone(EpochReport report)
        {
            progress.Clear();
            epochDone(report);
        }
    }

    private static CellEntry CellFor(SweepSettings settings, SweepPoint point) =>
        settings.Cells.First(c => c.Info.Name == point.Cell);

    private static int Cancelled(SweepProgress progress, SweepSettings settings, string when)
    {
        progress.WriteLine(
            $"simdrnn: sweep cancelled {when} (Ctrl-C); finished points are in {Path.Combine(settings.OutDirectory, SweepResults.FileName)}: " +
            "run the same command again to resume");
        return ExitCodes.Cancelled;
    }

    private static string Plural(int count) => count == 1 ? "" : "s";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);
}
