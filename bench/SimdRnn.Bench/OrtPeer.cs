using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Export;
using SimdRnn.Inference;
using SimdRnn.Kernels;
using SimdRnn.Model;

namespace SimdRnn.Bench;

/// <summary>
/// SimdRnn's inference against ONNX Runtime running SimdRnn's own ONNX exports of the same weights, both on one
/// thread (ORT: intra-op and inter-op 1, all graph optimisations, sequential execution; inputs and outputs bound
/// once as OrtValues over pinned arrays, so ORT copies nothing per run). For lstm-128 and gru-128 (28 steps of 28
/// inputs, 10 classes): one 28-step sequence at batch 1, one streaming step at batch 1 (ORT's one-step model,
/// states fed back through ping-pong buffers), and batch-64 throughput. Each round times SimdRnn, then ORT, for
/// about the same wall time; the table gives the medians over the rounds and the ratio of the medians, by wall
/// clock and by the calling thread's CPU time (the machine is shared, and with one intra-op thread ORT runs on
/// the caller, so thread CPU time is each contender's own work, not the neighbours'). Before
/// timing, both run the same inputs and the largest probability difference is printed (on MNIST test digits when
/// they are in the cache).
/// </summary>
public static partial class OrtPeer
{
    private const int Steps = 28, Inputs = 28, Classes = 10, Hidden = 128, Batch = 64;

    public static void Print(int rounds)
    {
        Console.WriteLine($"SimdRnn {Simd.Path} vs ONNX Runtime {OrtEnv.Instance().GetVersionString()} (CPU provider), one thread each, {rounds} alternating rounds");
        Console.WriteLine($"{"case",-28} {"SimdRnn wall",16} {"ORT wall",16} {"ratio",7} | {"SimdRnn CPU",16} {"ORT CPU",16} {"ratio",7}");
        Console.WriteLine($"{"",-28} {"",16} {"",16} {"ORT/S",7} | {"",16} {"",16} {"ORT/S",7}");
        foreach (var cell in new[] { "lstm", "gru" })
        {
            using var peer = new Peer(cell);
            peer.CheckAgreement();
            Report($"{cell}-128 sequence, batch 1", rounds, peer.SimdRnnSequence, peer.OrtSequence, 1);
            Report($"{cell}-128 step, batch 1", rounds, peer.SimdRnnStep, peer.OrtStep, 1);
            Report($"{cell}-128 sequence, batch 64", rounds, peer.SimdRnnBatch, peer.OrtBatch, Batch);
        }

        // Where batch 1 goes: the per-step recurrent product h[n, H] · Whh^T [H, G*H] against the packed weights,
        // for 1 row and for a full micro-kernel tile of rows, alternating.
        foreach (int gates in new[] { 4, 3 })
        {
            using var one = new GemmRunner(new GemmShape($"fwd 1x{gates * Hidden}x{Hidden} P", 1, gates * Hidden, Hidden, false, false, true));
            using var tile = new GemmRunner(new GemmShape($"fwd 8x{gates * Hidden}x{Hidden} P", 8, gates * Hidden, Hidden, false, false, true));
            var (row, rows) = Alternate(rounds, one.Run, tile.Run);
            Console.WriteLine($"// recurrent product, packed Whh [{Hidden}, {gates * Hidden}], thread CPU time: 1 row {Format(row.Cpu)}, 8 rows {Format(rows.Cpu)} ({rows.Cpu / row.Cpu:F2}x the time for 8x the rows)");
        }
    }

    /// <summary>Alternates the two contenders for <paramref name="rounds"/> rounds; prints medians per sequence (or step).</summary>
    private static void Report(string name, int rounds, Action simdRnn, Action ort, int perCall)
    {
        var (a, b) = Alternate(rounds, simdRnn, ort);
        string unit = perCall == 1 ? "" : "/seq";
        string F(double seconds) => Format(seconds / perCall) + unit;
        Console.WriteLine($"{name,-28} {F(a.Wall),16} {F(b.Wall),16} {b.Wall / a.Wall,6:F2}x | {F(a.Cpu),16} {F(b.Cpu),16} {b.Cpu / a.Cpu,6:F2}x");
    }

    /// <summary>Median seconds per call of each action, wall and thread CPU, over rounds of about 40 ms each, a then b.</summary>
    private static (Seconds A, Seconds B) Alternate(int rounds, Action a, Action b, int calls = 0)
    {
        if (calls == 0)
        {
            // Warm-up past tiering, and a call count giving about 40 ms per contender per round.
            for (int i = 0; i < 200; i++) { a(); b(); }
            calls = Math.Max(1, (int)(0.04 / Math.Max(Time(a, 20).Wall, Time(b, 20).Wall)));
        }

        var ta = new Seconds[rounds];
        var tb = new Seconds[rounds];
        for (int r = 0; r < rounds; r++)
        {
            ta[r] = Time(a, calls);
            tb[r] = Time(b, calls);
        }

        return (new(Median(ta.Select(t => t.Wall)), Median(ta.Select(t => t.Cpu))), new(Median(tb.Select(t => t.Wall)), Median(tb.Select(t => t.Cpu))));
    }

    private readonly record struct Seconds(double Wall, double Cpu);

    private static Seconds Time(Action action, int calls)
    {
        double cpu = ThreadCpuSeconds();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) action();
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new(wall / calls, (ThreadCpuSeconds() - cpu) / calls);
    }

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // CLOCK_THREAD_CPUTIME_ID: the calling thread's CPU time, in nanoseconds (Linux).
    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    private static double ThreadCpuSeconds()
    {
        if (ClockGetTime(3, out var time) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return time.Seconds + time.Nanoseconds * 1e-9;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Format(double seconds) => seconds >= 1e-3 ? $"{seconds * 1e3:F3} ms" : $"{seconds * 1e6:F1} us";

    /// <summary>One cell's model in both engines, with every buffer allocated up front.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly NetworkShape shape;
        private readonly InferenceModel model;
        private readonly SimdRnn.Inference.InferenceSession single, batch, stream;
        private readonly Microsoft.ML.OnnxRuntime.InferenceSession ortSequence, ortStep;
        private readonly RunOptions runOptions = new();
        private readonly float[] sequences = new float[Batch * Steps * Inputs];
        private readonly float[] probabilities = new float[Batch * Classes];
        private readonly float[] ortProbabilities = new float[Batch * Classes];
        private readonly OrtValue oneSequence, manySequences, oneProbabilities, manyProbabilities, stepInput, stepProbabilities;
        private readonly string[] stepInputNames, stepOutputNames;
        private readonly OrtValue[][] stepStates;   // two sets of [1, H] carried values, swapped every step
        private int parity;

        public Peer(string cell)
        {
            shape = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, cell)!, Steps, Inputs, Hidden, layers: 1, Classes);
            using (var network = new Network<float>(shape))
            {
                Initializer.Initialize<float>(shape, network.Parameters, seed: 1);
                model = InferenceModel.FromNetwork(network);
            }

            single = model.CreateSession(1);
            batch = model.CreateSession(Batch);
            stream = model.CreateSession(1);
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            ortSequence = new(OnnxExporter.Export(shape, model.Parameters), options);
            ortStep = new(OnnxExporter.Export(shape, model.Parameters, new OnnxExportOptions { Streaming = true }), options);

            var random = new Random(2);
            for (int i = 0; i < sequences.Length; i++) sequences[i] = random.NextSingle();
            oneSequence = OrtValue.CreateTensorValueFromMemory(sequences.AsMemory(0, Steps * Inputs).ToArray(), [1, Steps, Inputs]);
            manySequences = OrtValue.CreateTensorValueFromMemory(sequences, [Batch, Steps, Inputs]);
            oneProbabilities = OrtValue.CreateTensorValueFromMemory(new float[Classes], [1, Classes]);
            manyProbabilities = OrtValue.CreateTensorValueFromMemory(ortProbabilities, [Batch, Classes]);
            stepInput = OrtValue.CreateTensorValueFromMemory(sequences.AsSpan(0, Inputs).ToArray(), [1, Inputs]);
            stepProbabilities = OrtValue.CreateTensorValueFromMemory(new float[Classes], [1, Classes]);
            var carried = OnnxExporter.CarriedNames(shape.Cell.Info);
            stepInputNames = [OnnxExporter.InputName, .. carried.Select(n => OnnxExporter.StateInputName(0, n))];
            stepOutputNames = [OnnxExporter.ProbabilitiesName, .. carried.Select(n => OnnxExporter.StateOutputName(0, n))];
            stepStates = [.. Enumerable.Range(0, 2).Select(_ => carried.Select(_ => OrtValue.CreateTensorValueFromMemory(new float[Hidden], [1, Hidden])).ToArray())];
        }

        public void SimdRnnSequence() => single.Predict(sequences.AsSpan(0, Steps * Inputs), 1, probabilities);

        public void OrtSequence() => ortSequence.Run(runOptions, [OnnxExporter.InputName], [oneSequence], [OnnxExporter.ProbabilitiesName], [oneProbabilities]);

        public void SimdRnnStep() => stream.Step(sequences.AsSpan(0, Inputs), probabilities);

        public void OrtStep()
        {
            var from = stepStates[parity];
            var to = stepStates[parity ^ 1];
            ortStep.Run(runOptions, stepInputNames, [stepInput, .. from], stepOutputNames, [stepProbabilities, .. to]);
            parity ^= 1;
        }

        public void SimdRnnBatch() => batch.Predict(sequences, Batch, probabilities);

        public void OrtBatch() => ortSequence.Run(runOptions, [OnnxExporter.InputName], [manySequences], [OnnxExporter.ProbabilitiesName], [manyProbabilities]);

        /// <summary>The two engines on the same 64 sequences: MNIST test digits when the cache has them, else the random ones.</summary>
        public void CheckAgreement()
        {
            string source = "random inputs";
            try
            {
                var test = Mnist.Load(MnistStore.ResolveDirectory(null), train: false);
                for (int i = 0; i < Batch; i++) test.CopySequence(i, sequences.AsSpan(i * Steps * Inputs, Steps * Inputs));
                source = $"{Batch} MNIST test digits";
            }
            catch (Exception e) when (e is IOException or DataUnavailableException or DataFormatException or UnauthorizedAccessException)
            {
            }

            batch.Predict(sequences, Batch, probabilities);
            OrtBatch();
            double worst = probabilities.Zip(ortProbabilities, (x, y) => Math.Abs(x - y)).Max();
            Console.WriteLine($"// {shape.Cell.Info.Name}-{Hidden}: largest probability difference {worst:g3} on {source}");
        }

        public void Dispose()
        {
            foreach (var value in stepStates.SelectMany(s => s).Concat([oneSequence, manySequences, oneProbabilities, manyProbabilities, stepInput, stepProbabilities])) value.Dispose();
            runOptions.Dispose();
            ortSequence.Dispose();
            ortStep.Dispose();
            single.Dispose();
            batch.Dispose();
            stream.Dispose();
            model.Dispose();
        }
    }
}
