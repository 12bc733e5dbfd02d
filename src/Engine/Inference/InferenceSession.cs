using System.Numerics.Tensors;
using SimdRnn.Kernels;
using SimdRnn.Model;

namespace SimdRnn.Inference;

/// <summary>
/// One thread's classifier over a shared <see cref="InferenceModel"/>: whole sequences with <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>,
/// or up to <see cref="MaxBatch"/> streams advanced one time step at a time with <see cref="Step"/>. All memory
/// (<see cref="WorkspaceBytes"/>, reported beforehand by <see cref="RequiredBytes(InferenceModel, int)"/>) is allocated by the
/// constructor; <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>, <see cref="Classify"/>, <see cref="Step"/>, <see cref="ReadProbabilities"/>
/// and <see cref="Reset()"/> allocate nothing. Not thread-safe: one session per thread.
/// Shape letters: T steps, I inputs per step, H hidden, C classes, n rows (sequences or streams).
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly InferenceModel model;
    private readonly StepWorkspace<float>[] sequenceLayers;  // Predict's, one per recurrent layer
    private readonly StepWorkspace<float>[] streamLayers;    // Step's, one per layer; none when bidirectional
    private readonly float[] stepInput;                      // [n, max(I, F)] one step of a chunk of whole sequences
    private readonly float[] logits;                         // [n, C]
    private readonly float[] probabilities;                  // [C] Classify's
    private readonly float[] features;                       // [n, F] bidirectional: both directions' last outputs
    private readonly float[] layerInput, layerOutput;        // [T, n, F] bidirectional: a layer's input and output sequences
    private readonly int[] lengths;                          // [n] Predict's lengths when none are given: all T
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
        sequenceLayers = Enumerable.Range(0, shape.RecurrentLayers).Select(_ => new StepWorkspace<float>(shape.Cell.Info, shape.Hidden, maxBatch)).ToArray();
        streamLayers = shape.Bidirectional ? [] : Enumerable.Range(0, shape.Layers).Select(_ => new StepWorkspace<float>(shape.Cell.Info, shape.Hidden, maxBatch)).ToArray();
        stepInput = new float[maxBatch * Math.Max(shape.Inputs, shape.Features)];
        logits = new float[maxBatch * shape.Classes];
        probabilities = new float[shape.Classes];
        features = shape.Bidirectional ? new float[maxBatch * shape.Features] : [];
        layerInput = shape.Bidirectional ? new float[shape.Steps * maxBatch * Math.Max(shape.Inputs, shape.Features)] : [];
        layerOutput = shape.Bidirectional ? new float[shape.Steps * maxBatch * shape.Features] : [];
        lengths = new int[maxBatch];
        lengths.AsSpan().Fill(shape.Steps);
        WorkspaceBytes = RequiredBytes(shape, maxBatch);

        // One step of every product at the largest row count sizes the GEMM scratch now rather than on first use.
        for (int l = 0; l < sequenceLayers.Length; l++)
        {
            model.Layer(l).ForwardStep(sequenceLayers[l], stepInput.AsSpan(0, maxBatch * shape.LayerInputs(l)), maxBatch, model.InputWeights(l), gemm);
            sequenceLayers[l].Clear(0, maxBatch);
        }

        Head(shape.Bidirectional ? features : sequenceLayers[^1].Output, maxBatch, logits);
        Array.Clear(logits);
    }

    public InferenceModel Model => model;

    /// <summary>Sequences one <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/> chunk holds, and streams <see cref="Step"/> carries.</summary>
    public int MaxBatch { get; }

    /// <summary>Time steps the streams have taken since the last <see cref="Reset()"/>.</summary>
    public int StepCount { get; private set; }

    /// <summary>Bytes this session allocated: managed buffers and the GEMM scratch (native memory).</summary>
    public long WorkspaceBytes { get; }

    /// <summary>
    /// Bytes a session of <paramref name="model"/> for <paramref name="maxBatch"/> rows allocates, before creating it:
    /// for each layer, two step workspaces (whole sequences, streams) of n*H*(2G + R + 3 + 2S) floats, the
    /// step input [n, I], logits [n, C] and the GEMM's packed-A scratch. The model's weights are not included
    /// (<see cref="InferenceModel.WeightBytes"/>).
    /// </summary>
    public static long RequiredBytes(InferenceModel model, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        return RequiredBytes(model.Shape, maxBatch);
    }

    /// <inheritdoc cref="RequiredBytes(InferenceModel, int)"/>
    public static long RequiredBytes(NetworkShape shape, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        long stepWidth = Math.Max(shape.Inputs, shape.Features);
        long floats = (shape.Bidirectional ? shape.RecurrentLayers : 2 * shape.Layers) * StepWorkspace<float>.Elements(shape.Cell.Info, shape.Hidden, maxBatch)
            + maxBatch * stepWidth + (long)maxBatch * shape.Classes + shape.Classes + maxBatch /* lengths */;
        if (shape.Bidirectional) floats += (long)maxBatch * shape.Features + shape.Steps * maxBatch * (stepWidth + shape.Features);
        return sizeof(float) * (floats + GemmScratchFloats((int)Math.Max(stepWidth, shape.Hidden), maxBatch));
    }

    /// <summary>
    /// Class probabilities of <paramref name="count"/> whole sequences: reads <paramref name="sequences"/>
    /// [count, T, I] (sequence n at n*T*I, its step t at t*I within it) and writes <paramref name="probabilities"/>
    /// [count, C]. Any count: runs in chunks of <see cref="MaxBatch"/>. Leaves the streams of <see cref="Step"/> alone.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than <paramref name="count"/> sequences or rows of probabilities.</exception>
    public void Predict(ReadOnlySpan<float> sequences, int count, Span<float> probabilities) => Predict(sequences, count, default, probabilities);

    /// <summary>
    /// As <see cref="Predict(ReadOnlySpan{float}, int, Span{float})"/> for sequences of their own lengths: sequence n
    /// has <paramref name="sequenceLengths"/>[n] steps, 1..T, still stored in T*I values whose steps past its length
    /// are ignored (PyTorch's pack_padded_sequence). Empty lengths mean all T.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or a length is outside 1..T.</exception>
    public void Predict(ReadOnlySpan<float> sequences, int count, ReadOnlySpan<int> sequenceLengths, Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int steps = model.Steps, inputs = model.Inputs, classes = model.Classes, length = steps * inputs;
        if (sequences.Length < (long)count * length)
        {
            throw new ArgumentException($"Expected {count} sequences of {steps} steps x {inputs} inputs ({(long)count * length} values), found {sequences.Length} values.", nameof(sequences));
        }

        if (probabilities.Length < (long)count * classes)
        {
            throw new ArgumentException($"Expected room for {count} x {classes} probabilities, found {probabilities.Length}.", nameof(probabilities));
        }

        if (!sequenceLengths.IsEmpty)
        {
            if (sequenceLengths.Length < count) throw new ArgumentException($"Expected {count} lengths, found {sequenceLengths.Length}.", nameof(sequenceLengths));
            for (int n = 0; n < count; n++)
            {
                if (sequenceLengths[n] < 1 || sequenceLengths[n] > steps)
                {
                    throw new ArgumentException($"Length {sequenceLengths[n]} of sequence {n}: expected 1 to {steps} steps.", nameof(sequenceLengths));
                }
            }
        }

        for (int first = 0; first < count; first += MaxBatch)
        {
            int n = Math.Min(MaxBatch, count - first);
            var chunk = sequences.Slice(first * length, n * length);
            ReadOnlySpan<int> chunkLengths = sequenceLengths.IsEmpty ? lengths.AsSpan(0, n) : sequenceLengths.Slice(first, n);
            var destination = probabilities.Slice(first * classes, n * classes);
            if (model.Shape.Bidirectional) PredictLayerByLayer(chunk, chunkLengths, n, destination);
            else PredictStepByStep(chunk, chunkLengths, n, destination);
        }
    }

    // Unidirectional: every layer advances one step at a time; rows past their length keep their output and states.
    private void PredictStepByStep(ReadOnlySpan<float> chunk, ReadOnlySpan<int> chunkLengths, int n, Span<float> destination)
    {
        int steps = model.Steps, inputs = model.Inputs, length = steps * inputs, longest = 0;
        foreach (int l in chunkLengths) longest = Math.Max(longest, l);
        foreach (var layer in sequenceLayers) layer.Clear(0, n);
        for (int t = 0; t < longest; t++)
        {
            // x_t[n, I] from the batch-major sequences
            for (int r = 0; r < n; r++) chunk.Slice(r * length + t * inputs, inputs).CopyTo(stepInput.AsSpan(r * inputs, inputs));
            Advance(sequenceLayers, stepInput, n);
            for (int r = 0; r < n; r++)
            {
                if (chunkLengths[r] > t) continue;
                foreach (var layer in sequenceLayers) layer.KeepPrevious(r);
            }
        }

        Head(sequenceLayers[^1].Output, n, destination);
    }

    // Bidirectional: a whole layer at a time, the forward direction over each row's steps, then the reverse one
    // back from each row's last step; the next layer reads both, [forward, reverse] per step.
    private void PredictLayerByLayer(ReadOnlySpan<float> chunk, ReadOnlySpan<int> chunkLengths, int n, Span<float> destination)
    {
        var shape = model.Shape;
        int steps = shape.Steps, h = shape.Hidden, f = shape.Features, longest = 0;
        foreach (int l in chunkLengths) longest = Math.Max(longest, l);

        // [T, n, I] time-major from the batch-major sequences
        int inputs = shape.Inputs;
        for (int t = 0; t < steps; t++)
        {
            for (int r = 0; r < n; r++) chunk.Slice((r * steps + t) * inputs, inputs).CopyTo(layerInput.AsSpan((t * n + r) * inputs, inputs));
        }

        for (int layer = 0; layer < shape.Layers; layer++)
        {
            if (layer > 0) layerOutput.AsSpan(0, steps * n * f).CopyTo(layerInput);
            inputs = shape.LayerInputs(shape.RecurrentLayer(layer, 0));
            for (int direction = 0; direction < 2; direction++)
            {
                int recurrent = shape.RecurrentLayer(layer, direction);
                var ws = sequenceLayers[recurrent];
                ws.Clear(0, n);
                for (int s = 0; s < longest; s++)
                {
                    // Step s of each row: time s forward; time length-1-s reverse (rows already done repeat their last input).
                    for (int r = 0; r < n; r++)
                    {
                        int t = direction == 0 ? s : Math.Max(chunkLengths[r] - 1 - s, 0);
                        layerInput.AsSpan((t * n + r) * inputs, inputs).CopyTo(stepInput.AsSpan(r * inputs, inputs));
                    }

                    model.Layer(recurrent).ForwardStep(ws, stepInput.AsSpan(0, n * inputs), n, model.InputWeights(recurrent), gemm);
                    for (int r = 0; r < n; r++)
                    {
                        if (chunkLengths[r] <= s)
                        {
                            ws.KeepPrevious(r);
                            continue;
                        }

                        int t = direction == 0 ? s : chunkLengths[r] - 1 - s;
                        ws.Output.AsSpan(r * h, h).CopyTo(layerOutput.AsSpan((t * n + r) * f + direction * h, h));
                    }
                }

                // h_n of this direction: every row's output after its own last step
                if (layer == shape.Layers - 1) StepRows.Copy<float>(ws.Output, h, features.AsSpan(direction * h), f, h, n);
            }
        }

        Head(features, n, destination);
    }

    /// <summary>The most probable class of one sequence [T, I]; <see cref="LastProbabilities"/> holds its probabilities.</summary>
    public int Classify(ReadOnlySpan<float> sequence)
    {
        Predict(sequence, 1, probabilities);
        return TensorPrimitives.IndexOfMax<float>(probabilities);
    }

    /// <summary>[C] the probabilities of the sequence last given to <see cref="Classify"/>.</summary>
    public ReadOnlySpan<float> LastProbabilities => probabilities;

    /// <summary>
    /// Advances the first n streams by one time step, n = <paramref name="input"/>.Length / I: reads
    /// <paramref name="input"/> [n, I] (stream r's values at r*I) and, unless <paramref name="probabilities"/> is
    /// empty, writes their class probabilities after this step into it [n, C]. After T steps from a reset they
    /// equal <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>'s for the same sequences. Streams past n keep their state.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not whole steps of I values, holds more than <see cref="MaxBatch"/> streams, or the probabilities do not fit.</exception>
    /// <exception cref="InvalidOperationException">The model is bidirectional: its reverse direction needs the whole sequence (use <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>).</exception>
    public void Step(ReadOnlySpan<float> input, Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        ThrowIfBidirectional();
        int inputs = model.Inputs, n = input.Length / inputs;
        if (input.Length == 0 || input.Length % inputs != 0 || n > MaxBatch)
        {
            throw new ArgumentException($"Expected 1 to {MaxBatch} streams of {inputs} inputs ({inputs} to {MaxBatch * inputs} values, a multiple of {inputs}), found {input.Length} values.", nameof(input));
        }

        if (!probabilities.IsEmpty && probabilities.Length < n * model.Classes)
        {
            throw new ArgumentException($"Expected room for {n} x {model.Classes} probabilities, found {probabilities.Length}.", nameof(probabilities));
        }

        Advance(streamLayers, input, n);
        StepCount++;
        if (!probabilities.IsEmpty) Head(streamLayers[^1].Output, n, probabilities);
    }

    /// <summary>Writes the class probabilities [n, C] of the first n streams as they stand, n = <paramref name="probabilities"/>.Length / C.</summary>
    public void ReadProbabilities(Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        ThrowIfBidirectional();
        int n = probabilities.Length / model.Classes;
        if (n < 1 || n > MaxBatch)
        {
            throw new ArgumentException($"Expected room for 1 to {MaxBatch} rows of {model.Classes} probabilities, found {probabilities.Length}.", nameof(probabilities));
        }

        Head(streamLayers[^1].Output, n, probabilities);
    }

    private void ThrowIfBidirectional()
    {
        if (model.Shape.Bidirectional)
        {
            throw new InvalidOperationException("A bidirectional model cannot be streamed one step at a time: its reverse direction reads each sequence from its end. Use Predict with whole sequences.");
        }
    }

    /// <summary>[MaxBatch, H] the top layer's output of every stream after its last step (zeros after a reset; empty for a bidirectional model).</summary>
    public ReadOnlySpan<float> Output => model.Shape.Bidirectional ? default : streamLayers[^1].Output;

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
            model.Layer(l).ForwardStep(layers[l], x, n, model.InputWeights(l), gemm);
            x = layers[l].Output.AsSpan(0, n * model.Shape.Hidden);
        }
    }

    // probabilities[n, C] = softmax(features[n, F] · fc.weight^T + fc.bias): F = H, the top layer's output, or both directions'.
    private void Head(ReadOnlySpan<float> top, int n, Span<float> destination)
    {
        int classes = model.Classes, f = model.Shape.Features;
        var rows = logits.AsSpan(0, n * classes);
        var bias = model.HeadBias;
        for (int r = 0; r < n; r++) bias.CopyTo(rows.Slice(r * classes, classes));
        MatMul<float>.Multiply(n, top[..(n * f)], f, model.HeadWeights, rows, classes, accumulate: true, gemm);
        for (int r = 0; r < n; r++) TensorPrimitives.SoftMax(rows.Slice(r * classes, classes), destination.Slice(r * classes, classes));
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
