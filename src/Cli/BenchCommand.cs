using System.Globalization;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Kernels;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>One <c>bench --json</c> object.</summary>
public sealed record BenchLine(
    string Cell, int Hidden, int Batch, int Layers, bool Bidirectional, int Threads, string Simd, string Cpu,
    double SamplesPerSecond, double MinSamplesPerSecond, double MaxSamplesPerSecond, double WarmUpSeconds,
    double Gflops, double PeakGflops, double PeakFraction, double EvalSamplesPerSecond);

/// <summary>
/// <c>simdrnn bench</c>: training throughput on MNIST of the code in its final, steady state (the warm-up lasts
/// until the JIT has stopped compiling, see <see cref="WarmUp"/>), as the median and spread of several timed
/// windows, in samples/s and in GFLOP/s by the formula in <see cref="TrainingFlops"/>, and as a fraction of
/// the machine's peak FMA rate, measured by the same program; also evaluation throughput. Every figure is
/// printed with the CPU model and the SIMD path. <c>simdrnn bench --peak</c> prints only the peak.
/// </summary>
public sealed class BenchCommand : ICliCommand
{
    private const int Windows = 5;

    // The warm-up gives up waiting for the JIT after this long and says so: the figures are then not steady state.
    private const double MaxWarmUpSeconds = 60;

    // Each window's peak probe: five of them take about as long as the one second of a single probe did.
    private const double PeakProbeSeconds = 0.2;

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("cell", "NAME", "Recurrent cell", "lstm"),
        new("hidden", "N", "Hidden units per layer", "128"),
        new("batch", "N", "Sequences per mini-batch", "128"),
        new("layers", "N", "Stacked recurrent layers", "1"),
        new("bidirectional", null, "Bidirectional layers (twice the work per sample; GFLOP/s count both directions)"),
        new("threads", "N", "Worker threads", $"processor count, {Environment.ProcessorCount} here"),
        new("seconds", "S", "Timed training seconds, split into 5 windows (after a warm-up of windows of that length until one compiles no new code)", "10"),
        .. DataOptions.Options,
        new("lengths", "MIN-MAX", "Train on the data's sequences cut to lengths drawn uniformly from MIN..MAX (at most the data's steps) against the same steps at one fixed length"),
        new("peak", null, "Measure and print only the peak FMA rate for 1 and N threads"),
        new("json", null, "Print one JSON object"),
    ];

    public string Name => "bench";

    public string Summary => "Measure training and evaluation throughput (samples/s, GFLOP/s, fraction of peak)";

    public string Usage => CommandLineParser.Usage(
        "simdrnn bench [options]",
        "Trains on MNIST (or the data of --data-format csv|text, as train reads it) for the given time after a\n" +
        "warm-up that lasts until the JIT has compiled the final code, and reports the median samples/s of 5\n" +
        "windows with their spread, the CPU model and the SIMD path, GFLOP/s of the GEMMs (2GHT(3H+2I) per sample\n" +
        "for the first layer, 6GHT(2H) for each further one, 6PHO for the head's P predictions of O outputs)\n" +
        "and the fraction of the peak FMA rate this machine reaches with as many threads.\n" +
        "With --lengths MIN-MAX it compares training steps/s on the first 5,000 training sequences cut to random\n" +
        "lengths (bucketed by length) with the same sequences cut to the mean length, whole epochs alternating.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        int threads = parsed.PositiveInt("threads", Environment.ProcessorCount);
        if (parsed.Has("peak"))
        {
            context.Out.WriteLine(MachineDescription.Describe());
            foreach (int n in threads == 1 ? [1] : new[] { 1, threads })
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak FMA, {n} thread{(n == 1 ? "" : "s")}, {Simd.Path}: {PeakProbe.Measure(n, 2.0):F1} GFLOP/s"));
            }

            return ExitCodes.Success;
        }

        var options = new TrainOptions
        {
            Cell = parsed.String("cell", "lstm"),
            Hidden = parsed.PositiveInt("hidden", 128),
            Batch = parsed.PositiveInt("batch", 128),
            Layers = parsed.PositiveInt("layers", 1),
            Bidirectional = parsed.Has("bidirectional"),
            Threads = threads,
            Schedule = LearningRateSchedule.Constant,
        };
        float seconds = parsed.PositiveNumber("seconds", 10);
        var cell = CellCatalog.Find(context.Cells, options.Cell)
            ?? throw ParsedArguments.Expected("cell", "one of " + string.Join(", ", context.Cells.Select(c => c.Info.Name)), options.Cell);

        var data = DataOptions.Read(parsed).Load(context.Error.WriteLine);
        SequenceDataset train = data.Train, test = data.Test;

        if (parsed.Has("lengths"))
        {
            if (parsed.Has("json")) throw new UsageException("--json is not available with --lengths: its figures are printed as text");
            if (train.Head.Kind != SimdRnn.Model.HeadKind.Classify) throw new UsageException("--lengths needs data of the classify task (MNIST, or CSV with a label per sequence)");
            return CompareLengths(context, cell, options, seconds, train, ReadLengths(parsed, train.Steps));
        }

        using var trainer = new Trainer(cell, options, train);
        context.Error.WriteLine(TrainCommand.Header(options, trainer.Shape.ParameterCount));
        context.Error.WriteLine(data.Description);
        context.Error.WriteLine(MachineDescription.Describe());

        int epoch = 1;
        var warmUp = WarmUp(trainer, ref epoch, seconds / Windows);
        context.Error.WriteLine(warmUp.Settled
            ? string.Create(CultureInfo.InvariantCulture, $"warm-up: {warmUp.Windows} window{(warmUp.Windows == 1 ? "" : "s")}, {warmUp.Seconds:F1} s, until one compiled no new code; then {Windows} windows of {seconds / Windows:F1} s")
            : string.Create(CultureInfo.InvariantCulture, $"warning: the JIT was still compiling after a warm-up of {warmUp.Seconds:F0} s: these figures are not steady state"));
        // The peak is probed after every window, not once: on a shared host a single probe can land in a slow
        // moment and read below what the windows reached (fractions past 100%). Other tenants only ever lower the
        // FMA rate, so the highest probe is the closest to the machine's ceiling.
        var rates = new double[Windows];
        double peak = 0;
        for (int w = 0; w < Windows; w++)
        {
            rates[w] = TrainFor(trainer, ref epoch, seconds / Windows).SamplesPerSecond;
            peak = Math.Max(peak, PeakProbe.Measure(trainer.Workers, PeakProbeSeconds));
        }

        Array.Sort(rates);
        double samplesPerSecond = rates[Windows / 2];

        double evalRate = trainer.Evaluate(test).SamplesPerSecond;
        double gflops = samplesPerSecond * TrainingFlops.PerSample(trainer.Shape) / 1e9;
        var line = new BenchLine(cell.Info.Name, options.Hidden, options.Batch, options.Layers, options.Bidirectional, trainer.Workers, Simd.Path.ToString(), MachineDescription.CpuModel(),
            samplesPerSecond, rates[0], rates[^1], warmUp.Seconds, gflops, peak, gflops / peak, evalRate);

        if (parsed.Has("json"))
        {
            context.Out.WriteLine(JsonLines.Bench(line));
        }
        else
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train: {samplesPerSecond:N0} samples/s (median of {Windows}; min {rates[0]:N0}, max {rates[^1]:N0}, spread {100 * (rates[^1] - rates[0]) / samplesPerSecond:F1}%), {gflops:F1} GFLOP/s, {100 * gflops / peak:F1}% of peak {peak:F1} GFLOP/s ({trainer.Workers} thread{(trainer.Workers == 1 ? "" : "s")}, {Simd.Path})"));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval:  {evalRate:N0} samples/s"));
        }

        return ExitCodes.Success;
    }

    private readonly record struct Rate(double SamplesPerSecond, double StepsPerSecond);

    private readonly record struct WarmUpResult(int Windows, double Seconds, bool Settled);

    // Trains windows of the timed windows' length until one passes in which the JIT compiled no method: tiered
    // compilation replaces a hot method's first code with its optimized (and, with PGO, re-optimized) code only
    // after it has been called enough times, in the background, so a fixed warm-up ends at a point that depends on
    // the machine's speed and load, and the figures then depend on the window length. Code compiled ahead of time
    // (NativeAOT) compiles nothing, so its warm-up is one window; so does the JIT build, which turns tiering off
    // (SimdRnn.Cli.csproj), unless DOTNET_TieredCompilation=1 turns it back on.
    private static WarmUpResult WarmUp(Trainer trainer, ref int epoch, double window)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int windows = 1; ; windows++)
        {
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            TrainFor(trainer, ref epoch, window);
            bool settled = System.Runtime.JitInfo.GetCompiledMethodCount() == compiled;
            if (settled || clock.Elapsed.TotalSeconds >= MaxWarmUpSeconds) return new WarmUpResult(windows, clock.Elapsed.TotalSeconds, settled);
        }
    }

    // Trains whole batches for about the given time, continuing into the next epoch when one ends.
    private static Rate TrainFor(Trainer trainer, ref int epoch, double seconds)
    {
        int samples = 0;
        long stepsBefore = trainer.StepsTrained;
        double elapsed = 0;
        while (elapsed < seconds)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds - elapsed));
            var result = trainer.TrainEpoch(epoch, null, deadline.Token);
            samples += (int)Math.Round(result.SamplesPerSecond * result.Seconds);
            elapsed += result.Seconds;
            if (result.Completed) epoch++;
        }

        return new Rate(samples / elapsed, (trainer.StepsTrained - stepsBefore) / elapsed);
    }

    private static (int Min, int Max) ReadLengths(ParsedArguments parsed, int steps)
    {
        string text = parsed.Raw("lengths")!;
        int dash = text.IndexOf('-');
        if (dash > 0 && int.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int min)
            && int.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int max)
            && 1 <= min && min <= max && max <= steps)
        {
            return (min, max);
        }

        throw ParsedArguments.Expected("lengths", $"MIN-MAX with 1 <= MIN <= MAX <= {steps} (the data's steps)", text);
    }

    // Steps/s on sequences cut to random lengths in [min, max] against the same sequences cut to their mean length: the
    // same work per step, so the ratio is what lengths cost (padding, bucketing, partly live chunks). Each window is a
    // whole epoch, so it holds every batch length once (a part of an epoch would hold only its first, bucketed, batches).
    private static int CompareLengths(CliContext context, CellEntry cell, TrainOptions options, float seconds, SequenceDataset sequences, (int Min, int Max) range)
    {
        var subset = sequences.Take(Math.Min(5_000, sequences.Count));
        var random = new Random(1);
        var lengths = new int[subset.Count];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = random.Next(range.Min, range.Max + 1);
        int fixedLength = (int)Math.Round(lengths.Average());

        int inputs = subset.Inputs, full = subset.SequenceLength;
        var sequence = new float[full];
        var values = new float[subset.Count * fixedLength * inputs];
        for (int i = 0; i < subset.Count; i++)
        {
            subset.CopySequence(i, sequence);
            sequence.AsSpan(0, fixedLength * inputs).CopyTo(values.AsSpan(i * fixedLength * inputs));
        }

        using var mixed = new Trainer(cell, options, subset.WithLengths(lengths));
        using var fixedSteps = new Trainer(cell, options, new SequenceDataset(values, subset.Labels.ToArray(), fixedLength, inputs, subset.Head.Outputs));
        context.Error.WriteLine(TrainCommand.Header(options, mixed.Shape.ParameterCount));
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{subset.Count:N0} sequences at lengths {range.Min}-{range.Max} (mean {lengths.Average():F2}) against {fixedLength} steps each; one warm-up epoch each, then whole epochs alternating for {seconds:F0} s (at least {Windows} each)"));

        static double EpochSteps(Trainer trainer, int epoch)
        {
            long before = trainer.StepsTrained;
            var result = trainer.TrainEpoch(epoch);
            return (trainer.StepsTrained - before) / result.Seconds;
        }

        EpochSteps(mixed, 1);
        EpochSteps(fixedSteps, 1);
        var mixedRates = new List<double>();
        var fixedRates = new List<double>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int epoch = 2; mixedRates.Count < Windows || clock.Elapsed.TotalSeconds < seconds; epoch++)
        {
            mixedRates.Add(EpochSteps(mixed, epoch));
            fixedRates.Add(EpochSteps(fixedSteps, epoch));
        }

        var ratios = mixedRates.Zip(fixedRates, (m, f) => m / f).Order().ToArray();
        mixedRates.Sort();
        fixedRates.Sort();
        int count = mixedRates.Count;
        double mixedMedian = mixedRates[count / 2], fixedMedian = fixedRates[count / 2];
        string threads = $"{mixed.Workers} thread{(mixed.Workers == 1 ? "" : "s")}, {Simd.Path}";
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lengths {range.Min}-{range.Max}: {mixedMedian:N0} steps/s (median of {count} epochs; min {mixedRates[0]:N0}, max {mixedRates[^1]:N0}) ({threads})"));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fixed {fixedLength}:     {fixedMedian:N0} steps/s (median of {count} epochs; min {fixedRates[0]:N0}, max {fixedRates[^1]:N0})"));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio:        {mixedMedian / fixedMedian:F3} (of medians); per epoch pair median {ratios[count / 2]:F3}, min {ratios[0]:F3}, max {ratios[^1]:F3}"));
        return ExitCodes.Success;
    }
}
