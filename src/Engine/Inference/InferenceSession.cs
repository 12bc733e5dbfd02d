using System.Numerics.Tensors;
using SimdRnn.Kernels;
using SimdRnn.Model;

namespace SimdRnn.Inference;

/// <summary>
/// One thread's predictor over a shared <see cref="InferenceModel"/>: whole sequences with <see cref="Predict"/>,
/// or up to <see cref="MaxBatch"/> streams advanced one time step at a time with <see cref="Step"/>. The head's
/// outputs are class probabilities (softmax) for a classifying head and the predicted values for a regression
/// head; "probabilities" below means whichever the model's head gives. All memory
/// (<see cref="WorkspaceBytes"/>, reported beforehand by <see cref="RequiredBytes(InferenceModel, int)"/>) is allocated by the
/// constructor; <see cref="Predict"/>, <see cref="Classify"/>, <see cref="Step"/>, <see cref="ReadProbabilities"/>
/// and <see cref="Reset()"/> allocate nothing. Not thread-safe: one session per thread.
/// Shape letters: T steps, I inputs per step, H hidden, O head outputs (C classes or K values), n rows (sequences or streams).
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly InferenceModel model;
    private readonly StepWorkspace<float>[] sequenceLayers;  // Predict's, one per layer
    private readonly StepWorkspace<float>[] streamLayers;    // Step's, one per layer
    private readonly float[] stepInput;                      // [n, I] one step of a chunk of whole sequences
    private readonly float[] logits;                         // [n, O] the head's outputs before the softmax
    private readonly float[] probabilities;                  // [P*O] Classify's, P = 1 or T
    private readonly GemmWorkspace gemm = new();

    /// <summary>A session that classifies up to <paramref name="maxBatch"/> sequences, or runs that many streams, at once.</summary>
    public InferenceSession(InferenceModel model, int maxBatch = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        model.ThrowIfDisposed();
        this.model = model;
        MaxBatch = maxBatch;
        var shape = model.Shape;
        sequenceLayers = Enumerable.Range(0, shape.Layers).Select(_ => new StepWorkspace<float>(shape.Cell.Info, shape.Hidden, maxBatch)).ToArray();
        streamLayers = Enumerable.Range(0, shape.Layers).Select(_ => new StepWorkspace<float>(shape.Cell.Info, shape.Hidden, maxBatch)).ToArray();
        stepInput = new float[maxBatch * shape.Inputs];
        logits = new float[maxBatch * shape.Outputs];
        probabilities = new float[shape.OutputsPerSequence];
        WorkspaceBytes = RequiredBytes(model, maxBatch);

        // One step of every product at the largest row count sizes the GEMM scratch now rather than on first use.
        Advance(sequenceLayers, stepInput, maxBatch);
        HeadInPlace(sequenceLayers, maxBatch);
        Array.Clear(logits);
        foreach (var layer in sequenceLayers) layer.Clear(0, maxBatch);
    }

    public InferenceModel Model => model;

    /// <summary>Sequences one <see cref="Predict"/> chunk holds, and streams <see cref="Step"/> carries.</summary>
    public int MaxBatch { get; }

    /// <summary>Time steps the streams have taken since the last <see cref="Reset()"/>.</summary>
    public int StepCount { get; private set; }

    /// <summary>Bytes this session allocated: managed buffers and the GEMM scratch (native memory).</summary>
    public long WorkspaceBytes { get; }

    /// <summary>
    /// Bytes a session of <paramref name="model"/> for <paramref name="maxBatch"/> rows allocates, before creating it:
    /// for each layer, two step workspaces (whole sequences, streams) of n*H*(2G + R + 3 + 2S) floats, the
    /// step input [n, I], the head's outputs [n, O], one sequence's predictions [P*O] and the GEMM's packed-A scratch. The model's weights are not included
    /// (<see cref="InferenceModel.WeightBytes"/>). An int8 model's products also quantize up to n rows of max(I, H)
    /// values into the GEMM scratch.
    /// </summary>
    public static long RequiredBytes(InferenceModel model, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        long bytes = RequiredBytes(model.Shape, maxBatch);
        if (model.Format == WeightFormat.Int8) bytes += sizeof(float) * Kernels.Quantized.Int8Gemm.ScratchFloats(maxBatch, Math.Max(model.Inputs, model.Shape.Hidden));
        return bytes;
    }

    /// <summary>The same for a float32 model of <paramref name="shape"/>.</summary>
    public static long RequiredBytes(NetworkShape shape, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        long floats = 2 * shape.Layers * StepWorkspace<float>.Elements(shape.Cell.Info, shape.Hidden, maxBatch)
            + (long)maxBatch * shape.Inputs + (long)maxBatch * shape.Outputs + shape.OutputsPerSequence;
        return sizeof(float) * (floats + GemmScratchFloats(Math.Max(shape.Inputs, shape.Hidden), maxBatch));
    }

    /// <summary>
    /// The head's outputs for <paramref name="count"/> whole sequences: reads <paramref name="sequences"/>
    /// [count, T, I] (sequence n at n*T*I, its step t at t*I within it) and writes <paramref name="probabilities"/>
    /// [count, O] for a last-step head, [count, T, O] (sequence n's step t at (n*T + t)*O) for a per-step head
    /// (<see cref="InferenceModel.OutputsPerSequence"/> values per sequence). Any count: runs in chunks of
    /// <see cref="MaxBatch"/>. Leaves the streams of <see cref="Step"/> alone.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than <paramref name="count"/> sequences or rows of outputs.</exception>
    public void Predict(ReadOnlySpan<float> sequences, int count, Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int steps = model.Steps, inputs = model.Inputs, classes = model.OutputsPerSequence, length = steps * inputs;
        bool perStep = model.Shape.Head.PerStep;
        int outputs = model.Outputs;
        if (sequences.Length < (long)count * length)
        {
            throw new ArgumentException($"Expected {count} sequences of {steps} steps x {inputs} inputs ({(long)count * length} values), found {sequences.Length} values.", nameof(sequences));
        }

        if (probabilities.Length < (long)count * classes)
        {
            throw new ArgumentException($"Expected room for {count} x {classes} outputs, found {probabilities.Length}.", nameof(probabilities));
        }

        for (int first = 0; first < count; first += MaxBatch)
        {
            int n = Math.Min(MaxBatch, count - first);
            foreach (var layer in sequenceLayers) layer.Clear(0, n);
            var chunk = sequences.Slice(first * length, n * length);
            for (int t = 0; t < steps; t++)
            {
                // x_t[n, I] from the batch-major sequences
                for (int r = 0; r < n; r++) chunk.Slice(r * length + t * inputs, inputs).CopyTo(stepInput.AsSpan(r * inputs, inputs));
                Advance(sequenceLayers, stepInput, n);
                if (perStep) Head(sequenceLayers, n, probabilities[(first * classes + t * outputs)..], classes);
            }

            if (!perStep) Head(sequenceLayers, n, probabilities[(first * classes)..], classes);
        }
    }

    /// <summary>
    /// The most probable class of one sequence [T, I] (at its last step, for a per-step head); <see cref="LastProbabilities"/>
    /// holds its outputs. For a regression head, the index of the largest value.
    /// </summary>
    public int Classify(ReadOnlySpan<float> sequence)
    {
        Predict(sequence, 1, probabilities);
        return TensorPrimitives.IndexOfMax<float>(probabilities.AsSpan(probabilities.Length - model.Outputs));
    }

    /// <summary>[P*O] the outputs of the sequence last given to <see cref="Classify"/>.</summary>
    public ReadOnlySpan<float> LastProbabilities => probabilities;

    /// <summary>
    /// Advances the first n streams by one time step, n = <paramref name="input"/>.Length / I: reads
    /// <paramref name="input"/> [n, I] (stream r's values at r*I) and, unless <paramref name="probabilities"/> is
    /// empty, writes the head's outputs after this step into it [n, O]. After T steps from a reset they equal
    /// <see cref="Predict"/>'s for the same sequences (for a per-step head, each step's equal Predict's of that step).
    /// Streams past n keep their state.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not whole steps of I values, holds more than <see cref="MaxBatch"/> streams, or the probabilities do not fit.</exception>
    public void Step(ReadOnlySpan<float> input, Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        int inputs = model.Inputs, n = input.Length / inputs;
        if (input.Length == 0 || input.Length % inputs != 0 || n > MaxBatch)
        {
            throw new ArgumentException($"Expected 1 to {MaxBatch} streams of {inputs} inputs ({inputs} to {MaxBatch * inputs} values, a multiple of {inputs}), found {input.Length} values.", nameof(input));
        }

        if (!probabilities.IsEmpty && probabilities.Length < n * model.Outputs)
        {
            throw new ArgumentException($"Expected room for {n} x {model.Outputs} outputs, found {probabilities.Length}.", nameof(probabilities));
        }

        Advance(streamLayers, input, n);
        StepCount++;
        if (!probabilities.IsEmpty) Head(streamLayers, n, probabilities, model.Outputs);
    }

    /// <summary>Writes the head's outputs [n, O] of the first n streams as they stand, n = <paramref name="probabilities"/>.Length / O.</summary>
    public void ReadProbabilities(Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        int n = probabilities.Length / model.Outputs;
        if (n < 1 || n > MaxBatch)
        {
            throw new ArgumentException($"Expected room for 1 to {MaxBatch} rows of {model.Outputs} outputs, found {probabilities.Length}.", nameof(probabilities));
        }

        Head(streamLayers, n, probabilities, model.Outputs);
    }

    /// <summary>[MaxBatch, H] the top layer's output of every stream after its last step (zeros after a reset).</summary>
    public ReadOnlySpan<float> Output => streamLayers[^1].Output;

    /// <summary>Starts every stream again from the zero state.</summary>
    public void Reset()
    {
        foreach (var layer in streamLayers) layer.Clear(0, MaxBatch);
        StepCount = 0;
    }

    /// <summary>Starts stream <paramref name="stream"/> again from the zero state; the others keep theirs.</summary>
    public void Reset(int stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stream, MaxBatch);
        foreach (var layer in streamLayers) layer.Clear(stream, 1);
    }

    public void Dispose() => gemm.Dispose();

    private void Advance(StepWorkspace<float>[] layers, ReadOnlySpan<float> input, int n)
    {
        int inputs = model.Inputs;
        ReadOnlySpan<float> x = input[..(n * inputs)];
        for (int l = 0; l < layers.Length; l++)
        {
            model.Layer(l).ForwardStep(layers[l], x, n, gemm);
            x = layers[l].Output.AsSpan(0, n * model.Shape.Hidden);
        }
    }

    // logits[n, O] = h[n, H] · fc.weight^T + fc.bias of the top layer's current output.
    private Span<float> HeadInPlace(StepWorkspace<float>[] layers, int n)
    {
        int outputs = model.Outputs, h = model.Shape.Hidden;
        var rows = logits.AsSpan(0, n * outputs);
        var bias = model.HeadBias;
        for (int r = 0; r < n; r++) bias.CopyTo(rows.Slice(r * outputs, outputs));
        model.Head.Project(n, layers[^1].Output.AsSpan(0, n * h), h, rows, outputs, gemm);
        return rows;
    }

    // destination row r at r*stride: softmax(logits) for a classifying head, the logits themselves for regression.
    private void Head(StepWorkspace<float>[] layers, int n, Span<float> destination, int stride)
    {
        int outputs = model.Outputs;
        var rows = HeadInPlace(layers, n);
        for (int r = 0; r < n; r++)
        {
            var row = rows.Slice(r * outputs, outputs);
            var target = destination.Slice(r * stride, outputs);
            if (model.Shape.Head.Classifies) TensorPrimitives.SoftMax(row, target);
            else row.CopyTo(target);
        }
    }

    // Packed-A scratch of the largest product (k = max(I, H) up to KC, m = n up to MC) plus one edge tile.
    internal static long GemmScratchFloats(int k, int rows)
    {
        (int mr, int nr, int kc, int mc) = Simd.Path switch
        {
            SimdPath.Vector512 => (GemmKernel512.MR, GemmKernel512.NR, GemmKernel512.KC, GemmKernel512.MC),
            SimdPath.Vector256 => (GemmKernel256.MR, GemmKernel256.NR, GemmKernel256.KC, GemmKernel256.MC),
            _ => (GemmKernelScalar.MR, GemmKernelScalar.NR, GemmKernelScalar.KC, GemmKernelScalar.MC),
        };
        long m = Math.Min(rows, mc);
        return Math.Min(k, kc) * ((m + mr - 1) / mr * mr) + mr * nr;
    }
}
