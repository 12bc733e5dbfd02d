// simdrnn-embedded: SimdRnn inside a program. Loads a model once, then classifies sequences read from stdin as
// CSV lines (numbers only), in one of two modes:
//
//   batch (default)  each line is a whole sequence of T*I values, or fewer (whole steps: a shorter sequence);
//                    lines are classified --batch at a time
//   --stream         each line is one sequence of whole time steps (I values each), fed one step at a time as a
//                    sensor would deliver them; prints the running prediction after every step. After T steps
//                    it is the batch mode's prediction.
//
// --latency: instead, measures this machine's per-call latency of one sequence and of one streaming step (median, p90,
// p99) against their memory bound: a read of the bytes of weights each call must read.
// --latency --compare-int8: the model against its int8 copy (InferenceModel.Quantize) in the same run, alternating:
// a streaming step and a whole sequence at batch 1, and a sequence of a batch of 64; medians and their ratios.
//
// --probabilities: the batch mode prints every class probability (9 significant digits) after the class.
//
// --labelled: each line starts with the true label, which is skipped and counted into an accuracy at the end
// (the CSV files of `simdrnn train --data-format csv`).
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using SimdRnn.Inference;

const string Usage = "usage: simdrnn-embedded MODEL [--stream] [--batch N] [--labelled] [--probabilities] < lines.csv\n       simdrnn-embedded MODEL --latency [--compare-int8]";
if (args.Length == 0 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

bool stream = args.Contains("--stream"), labelled = args.Contains("--labelled"), all = args.Contains("--probabilities");
int batch = 16;
int batchAt = Array.IndexOf(args, "--batch");
if (batchAt >= 0 && (batchAt + 1 >= args.Length || !int.TryParse(args[batchAt + 1], out batch) || batch < 1))
{
    Console.Error.WriteLine("simdrnn-embedded: --batch needs a positive integer");
    return 2;
}

InferenceModel model;
try
{
    model = InferenceModel.Load(args[0]);
}
catch (IOException e)
{
    Console.Error.WriteLine($"simdrnn-embedded: {e.Message}");
    return 1;
}

using (model)
{
    if (args.Contains("--latency")) return args.Contains("--compare-int8") ? CompareInt8(model) : Latency(model);

    // Everything a session needs is allocated here; Predict and Step allocate nothing afterwards.
    using var session = model.CreateSession(stream ? 1 : batch);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{model.Shape.Cell.Info.Name}, hidden {model.Shape.Hidden}: {model.Steps} steps x {model.Inputs} inputs, {model.Outputs} classes; {model.Kernel}; session {session.WorkspaceBytes:N0} bytes"));
    try
    {
        return stream ? Stream(session, labelled) : Batch(session, batch, labelled, all);
    }
    catch (Exception e) when (e is FormatException or InvalidOperationException)
    {
        // InvalidOperationException: --stream on a bidirectional model, which needs whole sequences.
        Console.Error.WriteLine($"simdrnn-embedded: {e.Message}");
        return 1;
    }
}

static int Batch(InferenceSession session, int batch, bool labelled, bool all)
{
    var model = session.Model;
    int length = model.Steps * model.Inputs, lineNumber = 0, count = 0, correct = 0, pending = 0;
    var sequences = new float[batch * length];
    var labels = new int[batch];
    var lengths = new int[batch];
    var probabilities = new float[batch * model.Outputs];
    var clock = new Stopwatch();

    void Flush()
    {
        clock.Start();
        session.Predict(sequences, pending, lengths, probabilities);
        clock.Stop();
        for (int r = 0; r < pending; r++)
        {
            var row = probabilities.AsSpan(r * model.Outputs, model.Outputs);
            int predicted = TensorPrimitives.IndexOfMax<float>(row);
            if (labelled && predicted == labels[r]) correct++;
            string every = all ? " " + string.Join(' ', row.ToArray().Select(p => p.ToString("G9", CultureInfo.InvariantCulture))) : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count + r}: class {predicted} ({row[predicted]:F3}){every}"));
        }

        count += pending;
        pending = 0;
    }

    string? line;
    while ((line = Console.In.ReadLine()) is not null)
    {
        lineNumber++;
        if (string.IsNullOrWhiteSpace(line)) continue;
        // A line of fewer values, whole steps, is a shorter sequence; the rest of its T steps is padding.
        int fields = line.Count(c => c == ',') + 1 - (labelled ? 1 : 0);
        if (fields > length || fields < model.Inputs || fields % model.Inputs != 0)
        {
            throw new FormatException($"line {lineNumber}: expected {length} values{(labelled ? " after the label" : "")} ({model.Steps} steps x {model.Inputs}), or fewer whole steps, found {fields}");
        }

        var sequence = sequences.AsSpan(pending * length, length);
        sequence.Clear();
        labels[pending] = Parse(line, lineNumber, labelled, sequence[..fields]);
        lengths[pending] = fields / model.Inputs;
        if (++pending == batch) Flush();
    }

    if (pending > 0) Flush();
    Report(count, correct, labelled, clock.Elapsed.TotalMicroseconds / Math.Max(1, count), "sequence");
    return 0;
}

static int Stream(InferenceSession session, bool labelled)
{
    var model = session.Model;
    var probabilities = new float[model.Outputs];
    int lineNumber = 0, sequences = 0, correct = 0, steps = 0;
    var clock = new Stopwatch();
    var running = new System.Text.StringBuilder();

    string? line;
    while ((line = Console.In.ReadLine()) is not null)
    {
        lineNumber++;
        if (string.IsNullOrWhiteSpace(line)) continue;
        int fields = line.Count(c => c == ',') + 1 - (labelled ? 1 : 0);
        if (fields % model.Inputs != 0)
        {
            throw new FormatException($"line {lineNumber}: expected whole steps of {model.Inputs} values{(labelled ? " after the label" : "")}, found {fields} values");
        }

        var values = new float[fields];
        int label = Parse(line, lineNumber, labelled, values);

        // One time step at a time, as a sensor would deliver them; the running prediction after each.
        session.Reset();
        running.Clear();
        int predicted = -1;
        for (int t = 0; t < fields / model.Inputs; t++)
        {
            clock.Start();
            session.Step(values.AsSpan(t * model.Inputs, model.Inputs), probabilities);
            clock.Stop();
            predicted = TensorPrimitives.IndexOfMax<float>(probabilities);
            running.Append(predicted).Append(' ');
            steps++;
        }

        if (labelled && predicted == label) correct++;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{sequences}: {running}-> class {predicted} ({probabilities[predicted]:F3}) after {session.StepCount} steps"));
        sequences++;
    }

    Report(sequences, correct, labelled, clock.Elapsed.TotalMicroseconds / Math.Max(1, steps), "step");
    return 0;
}

// Per-call latency after warm-up (median, p90, p99 of 2,000 timed calls): one whole sequence (Predict of 1), one
// streaming step with its probabilities; then the memory bound of each: the bytes of weights it reads, timed as a plain
// vector read of a buffer that size (ReadBandwidthProbe), and the ratio of the latency to it.
static int Latency(InferenceModel model)
{
    using var session = model.CreateSession(1);
    var random = new Random(1);
    var sequence = new float[model.Steps * model.Inputs];
    for (int i = 0; i < sequence.Length; i++) sequence[i] = random.NextSingle();
    var probabilities = new float[model.Outputs];
    var times = new double[2000];

    double Measure(string name, Action call, int warmUp)
    {
        for (int i = 0; i < warmUp; i++) call();
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(times);
        double median = times[times.Length / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-28} median {median:F2} us (p90 {times[times.Length * 9 / 10]:F2}, p99 {times[times.Length * 99 / 100]:F2})"));
        return median;
    }

    double sequenceMedian = Measure($"one sequence ({model.Steps} steps):", () => session.Predict(sequence, 1, probabilities), 3000);
    double stepMedian = Measure("one streaming step:", () => session.Step(sequence.AsSpan(0, model.Inputs), probabilities), 30000);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"workspace (max batch 1): {InferenceSession.RequiredBytes(model, 1):N0} bytes; weights {model.WeightBytes:N0} bytes; SIMD {SimdRnn.Kernels.Simd.Path}"));

    // A step reads every layer's weights and the head's; a sequence reads the layers' T times and the head's once.
    long stepBytes = model.StepReadBytes + model.HeadReadBytes;
    var read = SimdRnn.Kernels.ReadBandwidthProbe.Measure(stepBytes);
    double sequenceBound = (model.Steps * model.StepReadBytes + model.HeadReadBytes) / (read.GigabytesPerSecond * 1e3);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"memory bound: a step reads {stepBytes:N0} bytes; a vector read of that many bytes takes median {read.MedianMicroseconds:F2} us (p99 {read.P99Microseconds:F2}), {read.GigabytesPerSecond:F0} GB/s"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"against the bound: step {stepMedian:F2} / {read.MedianMicroseconds:F2} us = {stepMedian / read.MedianMicroseconds:F2}x; sequence {sequenceMedian:F2} / {sequenceBound:F2} us = {sequenceMedian / sequenceBound:F2}x"));
    return 0;
}

// The float model against its int8 copy, in alternating rounds so that both meet the same machine (other processes,
// clock changes); the per-call times of all rounds give each contender's median.
static int CompareInt8(InferenceModel model)
{
    if (model.Format != WeightFormat.Float32)
    {
        Console.Error.WriteLine("simdrnn-embedded: --compare-int8 needs a float32 model (it makes the int8 copy itself)");
        return 2;
    }

    const int Batch = 64, Rounds = 21;
    using var int8 = model.Quantize();
    InferenceModel[] models = [model, int8];
    var single = models.Select(m => m.CreateSession(1)).ToArray();
    var batched = models.Select(m => m.CreateSession(Batch)).ToArray();
    var random = new Random(1);
    var sequences = new float[Batch * model.Steps * model.Inputs];
    for (int i = 0; i < sequences.Length; i++) sequences[i] = random.NextSingle();
    var probabilities = new float[Batch * model.Outputs];

    (string Name, int Calls, double Divisor, Action<int> Call)[] measures =
    [
        ("streaming step, batch 1", 2000, 1, c => single[c].Step(sequences.AsSpan(0, model.Inputs), probabilities.AsSpan(0, model.Outputs))),
        ($"whole sequence ({model.Steps} steps), batch 1", 200, 1, c => single[c].Predict(sequences, 1, probabilities)),
        ($"one sequence of a batch of {Batch}", 40, Batch, c => batched[c].Predict(sequences, Batch, probabilities)),
    ];

    Console.WriteLine($"{model.Shape.Cell.Info.Name}, hidden {model.Shape.Hidden}, layers {model.Shape.Layers}; CPU {Cpu()}; float32 on {model.Kernel}, int8 on {int8.Kernel}");
    foreach (var (name, calls, divisor, call) in measures)
    {
        var times = new List<double>[] { [], [] };
        for (int c = 0; c < models.Length; c++)
        {
            for (int i = 0; i < calls * 3; i++) call(c);
        }

        for (int round = 0; round < Rounds; round++)
        {
            // Alternate which contender goes first, too.
            for (int turn = 0; turn < models.Length; turn++)
            {
                int c = (round + turn) % models.Length;
                for (int i = 0; i < calls; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    call(c);
                    times[c].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / divisor);
                }
            }
        }

        double[] medians = times.Select(t => Median(t)).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: float32 median {medians[0]:F2} us, int8 median {medians[1]:F2} us; float32 / int8 = {medians[0] / medians[1]:F2}x"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weights in memory: float32 {model.WeightBytes:N0} bytes, int8 {int8.WeightBytes:N0} bytes"));
    foreach (var session in single.Concat(batched)) session.Dispose();
    return 0;

    static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    static string Cpu()
    {
        try
        {
            var lines = File.ReadLines("/proc/cpuinfo").Take(30).ToArray();
            string Field(string key) => lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            return $"{Field("model name")} (family {Field("cpu family")}, model {Field("model\t")})";
        }
        catch (IOException)
        {
            return "(unknown)";
        }
    }
}

// Reads one CSV line into values (and the label first when labelled); throws FormatException naming the line.
static int Parse(string line, int lineNumber, bool labelled, Span<float> values)
{
    var fields = line.Split(',');
    int offset = labelled ? 1 : 0;
    if (fields.Length != values.Length + offset)
    {
        throw new FormatException($"line {lineNumber}: expected {values.Length + offset} values{(labelled ? " (the label first)" : "")}, found {fields.Length}");
    }

    int label = -1;
    if (labelled && !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out label))
    {
        throw new FormatException($"line {lineNumber}, column 1: expected a label, found '{fields[0]}'");
    }

    for (int i = 0; i < values.Length; i++)
    {
        if (!float.TryParse(fields[i + offset], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
        {
            throw new FormatException($"line {lineNumber}, column {i + offset + 1}: expected a finite number, found '{fields[i + offset].Trim()}'");
        }
    }

    return label;
}

static void Report(int sequences, int correct, bool labelled, double microseconds, string unit)
{
    string accuracy = labelled && sequences > 0 ? string.Create(CultureInfo.InvariantCulture, $", accuracy {(double)correct / sequences:F4}") : "";
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sequences} sequences{accuracy}, {microseconds:F1} us per {unit}"));
}
