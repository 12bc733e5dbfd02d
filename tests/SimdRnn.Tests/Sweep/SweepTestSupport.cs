using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Data;
using SimdRnn.Tests.Cli;
using SimdRnn.Training;

namespace SimdRnn.Tests.Sweep;

/// <summary>
/// A stand-in for the trainer: each epoch's cost and test accuracy come from a script of the options and
/// the epoch, so sweeps run in milliseconds. Every run it starts is logged.
/// </summary>
public sealed class FakeTrainer
{
    public static readonly CellEntry[] Cells = [FakeCell.Lstm, FakeCell.Gru];

    public static readonly string Data = Idx.WriteMnist(20, 7);

    private readonly Func<TrainOptions, int, (double Cost, double Accuracy)> script;

    public FakeTrainer(Func<TrainOptions, int, (double Cost, double Accuracy)>? script = null) => this.script = script ?? Learns;

    public List<TrainOptions> Runs { get; } = [];

    public List<(TrainOptions Options, int Epoch)> Epochs { get; } = [];

    /// <summary>Called before each epoch: a test cancels here to stand for a Ctrl-C or a kill.</summary>
    public Action<TrainOptions, int>? BeforeEpoch { get; set; }

    /// <summary>Cost 1/epoch; accuracy rises with the epoch and is higher for a smaller learning rate.</summary>
    public static (double Cost, double Accuracy) Learns(TrainOptions options, int epoch) =>
        (1.0 / epoch, 0.5 + 0.01 * epoch - options.LearningRate);

    public ITrainingRun Start(TrainSettings settings, SequenceDataset train)
    {
        Runs.Add(settings.Options);
        return new Run(this, settings.Options);
    }

    /// <summary>Runs <c>simdrnn sweep</c> in process over this trainer and the tiny MNIST files.</summary>
    public CliRun Sweep(string output, params string[] args) => Sweep(output, default, args);

    public CliRun Sweep(string output, CancellationToken cancellation, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        string[] all = ["sweep", "--data", Data, "--out", output, .. args];
        int code = CliApp.Run(all, new CliContext(stdout, stderr, Cells, Cancellation: cancellation), [new SweepCommand(Start), new ReportCommand()]);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    private sealed class Run(FakeTrainer owner, TrainOptions options) : ITrainingRun
    {
        private double accuracy = double.NaN;

        public int ParameterCount => 1234;

        public EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken cancellation)
        {
            owner.BeforeEpoch?.Invoke(options, epoch);
            if (cancellation.IsCancellationRequested) return new EpochResult(epoch, double.NaN, 0, 0, Completed: false);

            owner.Epochs.Add((options, epoch));
            (double cost, accuracy) = owner.script(options, epoch);
            progress?.Invoke(new EpochProgress(20, 20, cost, 0.5));
            return new EpochResult(epoch, cost, 40, 0.5, Completed: double.IsFinite(cost));
        }

        public Evaluation Evaluate(SequenceDataset test) => new(SimdRnn.Model.Head.Classify(10), 0.5, 1) { Accuracy = accuracy };

        public void Dispose()
        {
        }
    }
}

/// <summary>Reads a sweep's results file.</summary>
public static class Results
{
    public static string PathIn(string directory) => System.IO.Path.Combine(directory, SweepResults.FileName);

    public static IReadOnlyList<SweepRecord> In(string directory) => SweepResults.Read(PathIn(directory)).Records;

    public static SweepRecord Record(string cell, float lr, int epochs, string status = SweepRecord.Done, double[]? cost = null, double[]? accuracy = null,
        int hidden = 128, int batch = 128, string? reason = null)
    {
        var point = new SweepPoint(cell, lr, batch, hidden, 1, 1, 1000);
        cost ??= Enumerable.Range(1, epochs).Select(e => 1.0 / e).ToArray();
        accuracy ??= Enumerable.Range(1, epochs).Select(e => 0.8 + 0.01 * e).ToArray();
        return new SweepRecord(point.Key(epochs), cell, lr, batch, hidden, 1, 1, 1000, epochs, status, reason, cost, accuracy,
            accuracy.Length == 0 ? null : accuracy[^1], 2.5 * epochs, 400, "adam", 5, "constant", 2, "Vector256", "0.1.0");
    }
}
