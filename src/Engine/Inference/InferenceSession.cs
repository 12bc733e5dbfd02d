using System.Numerics.Tensors;
using SimdRnn.Kernels;
using SimdRnn.Model;

namespace SimdRnn.Inference;

/// <summary>
/// One thread's predictor over a shared <see cref="InferenceModel"/>: whole sequences with <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>,
/// or up to <see cref="MaxBatch"/> streams advanced one time step at a time with <see cref="Step"/>. The head's
/// outputs are class probabilities (softmax) for a classifying head and the predicted values for a regression
/// head; "probabilities" below means whichever the model's head gives. All memory
/// (<see cref="WorkspaceBytes"/>, reported beforehand by <see cref="RequiredBytes(InferenceModel, int)"/>) is allocated by the
/// constructor; <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>, <see cref="Classify"/>, <see cref="Step"/>, <see cref="ReadProbabilities"/>
/// and <see cref="Reset()"/> allocate nothing. Not thread-safe: one session per thread.
/// Shape letters: T steps, I inputs per step, H hidden, O head outputs (C classes or K values), n rows (sequences or streams).
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly InferenceModel model;
    private readonly StepWorkspace<float>[] sequenceLayers;  // Predict's, one per recurrent layer
    private readonly StepWorkspace<float>[] streamLayers;    // Step's, one per layer; none when bidirectional
    private readonly float[] stepInput;                      // [n, max(I, F)] one step of a chunk of whole sequences
    private readonly float[] logits;                         // [n, O] the head's outputs before the softmax
    private readonly float[] probabilities;                  // [P*O] Classify's, P = 1 or T
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
        logits = new float[maxBatch * shape.Outputs];
        probabilities = new float[shape.OutputsPerSequence];
        features = shape.Bidirectional ? new float[maxBatch * shape.Features] : [];
        layerInput = shape.Bidirectional ? new float[shape.Steps * maxBatch * Math.Max(shape.Inputs, shape.Features)] : [];
        layerOutput = shape.Bidirectional ? new float[shape.Steps * maxBatch * shape.Features] : [];
        lengths = new int[maxBatch];
        lengths.AsSpan().Fill(shape.Steps);
        WorkspaceBytes = RequiredBytes(model, maxBatch);

        // One step of every product at the largest row count sizes the GEMM scratch now rather than on first use.
        for (int l = 0; l < sequenceLayers.Length; l++)
        {
            model.Layer(l).ForwardStep(sequenceLayers[l], stepInput.AsSpan(0, maxBatch * shape.LayerInputs(l)), maxBatch, gemm);
            sequenceLayers[l].Clear(0, maxBatch);
        }

        HeadInPlace(shape.Bidirectional ? features : sequenceLayers[^1].Output, maxBatch);
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
    /// for each layer, two step workspaces (whole sequences, streams) of n*H*(2G + R + 3 + 2S) floats (bidirectional:
    /// one per direction, plus the features [n, F] and two sequences [T, n, F]), the step input [n, max(I, F)], the
    /// head's outputs [n, O], one sequence's predictions [P*O], the lengths [n] and the GEMM's packed-A scratch. The model's weights are not included
    /// (<see cref="InferenceModel.WeightBytes"/>). An int8 model's products also quantize their input rows into the
    /// GEMM scratch.
    /// </summary>
    public static long RequiredBytes(InferenceModel model, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        long bytes = RequiredBytes(model.Shape, maxBatch);
        if (model.Format == WeightFormat.Int8) bytes += sizeof(float) * Kernels.Quantized.Int8Gemm.ScratchFloats(maxBatch, Math.Max(model.Inputs, model.Shape.Features));
        return bytes;
    }

    /// <summary>The same for a float32 model of <paramref name="shape"/>.</summary>
    public static long RequiredBytes(NetworkShape shape, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        long stepWidth = Math.Max(shape.Inputs, shape.Features);
        long floats = (shape.Bidirectional ? shape.RecurrentLayers : 2 * shape.Layers) * StepWorkspace<float>.Elements(shape.Cell.Info, shape.Hidden, maxBatch)
            + maxBatch * stepWidth + (long)maxBatch * shape.Outputs + shape.OutputsPerSequence + maxBatch /* lengths */;
        if (shape.Bidirectional) floats += (long)maxBatch * shape.Features + shape.Steps * maxBatch * (stepWidth + shape.Features);
        return sizeof(float) * (floats + GemmScratchFloats((int)Math.Max(stepWidth, shape.Hidden), maxBatch));
    }

    /// <summary>
    /// The head's outputs for <paramref name="count"/> whole sequences: reads <paramref name="sequences"/>
    /// [count, T, I] (sequence n at n*T*I, its step t at t*I within it) and writes <paramref name="probabilities"/>
    /// [count, O] for a last-step head, [count, T, O] (sequence n's step t at (n*T + t)*O) for a per-step head
    /// (<see cref="InferenceModel.OutputsPerSequence"/> values per sequence). Any count: runs in chunks of
    /// <see cref="MaxBatch"/>. Leaves the streams of <see cref="Step"/> alone.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than <paramref name="count"/> sequences or rows of outputs.</exception>
    public void Predict(ReadOnlySpan<float> sequences, int count, Span<float> probabilities) => Predict(sequences, count, default, probabilities);

    /// <summary>
    /// As <see cref="Predict(ReadOnlySpan{float}, int, Span{float})"/> for sequences of their own lengths: sequence n
    /// has <paramref name="sequenceLengths"/>[n] steps, 1..T, still stored in T*I values whose steps past its length
    /// are ignored (PyTorch's pack_padded_sequence). Empty lengths mean all T. A per-step head's outputs past a
    /// sequence's length are those of its last step (forward) and of a zero reverse output (bidirectional): padding.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or a length is outside 1..T.</exception>
    public void Predict(ReadOnlySpan<float> sequences, int count, ReadOnlySpan<int> sequenceLengths, Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int steps = model.Steps, inputs = model.Inputs, classes = model.OutputsPerSequence, length = steps * inputs;
        if (sequences.Length < (long)count * length)
        {
            throw new ArgumentException($"Expected {count} sequences of {steps} steps x {inputs} inputs ({(long)count * length} values), found {sequences.Length} values.", nameof(sequences));
        }

        if (probabilities.Length < (long)count * classes)
        {
            throw new ArgumentException($"Expected room for {count} x {classes} outputs, found {probabilities.Length}.", nameof(probabilities));
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
            var destination = probabilities[(first * classes)..];
            if (model.Shape.Bidirectional) PredictLayerByLayer(chunk, chunkLengths, n, destination);
            else PredictStepByStep(chunk, chunkLengths, n, destination);
        }
    }

    // Unidirectional: every layer advances one step at a time; rows past their length keep their output and states.
    private void PredictStepByStep(ReadOnlySpan<float> chunk, ReadOnlySpan<int> chunkLengths, int n, Span<float> destination)
    {
        int steps = model.Steps, inputs = model.Inputs, length = steps * inputs, classes = model.OutputsPerSequence, outputs = model.Outputs;
        bool perStep = model.Shape.Head.PerStep;
        int longest = 0;
        foreach (int l in chunkLengths) longest = Math.Max(longest, l);
        foreach (var layer in sequenceLayers) layer.Clear(0, n);
        for (int t = 0; t < (perStep ? steps : longest); t++)
        {
            if (t < longest)
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

            if (perStep) Head(sequenceLayers[^1].Output, n, destination[(t * outputs)..], classes);
        }

        if (!perStep) Head(sequenceLayers[^1].Output, n, destination, classes);
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
            layerOutput.AsSpan(0, steps * n * f).Clear();
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

                    model.Layer(recurrent).ForwardStep(ws, stepInput.AsSpan(0, n * inputs), n, gemm);
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

                // The forward half past a row's length is carried, as in training.
                if (direction == 0)
                {
                    for (int r = 0; r < n; r++)
                    {
                        for (int t = chunkLengths[r]; t < steps; t++) ws.Output.AsSpan(r * h, h).CopyTo(layerOutput.AsSpan((t * n + r) * f, h));
                    }
                }

                // h_n of this direction: every row's output after its own last step
                if (layer == shape.Layers - 1) StepRows.Copy<float>(ws.Output, h, features.AsSpan(direction * h), f, h, n);
            }
        }

        int classes = shape.OutputsPerSequence;
        if (!shape.Head.PerStep)
        {
            Head(features, n, destination, classes);
            return;
        }

        for (int t = 0; t < steps; t++) Head(layerOutput.AsSpan(t * n * f, n * f), n, destination[(t * shape.Outputs)..], classes);
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
    /// <see cref="Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>'s for the same sequences (for a per-step head, each step's equal Predict's of that step).
    /// Streams past n keep their state.
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

        if (!probabilities.IsEmpty && probabilities.Length < n * model.Outputs)
        {
            throw new ArgumentException($"Expected room for {n} x {model.Outputs} outputs, found {probabilities.Length}.", nameof(probabilities));
        }

        Advance(streamLayers, input, n);
        StepCount++;
        if (!probabilities.IsEmpty) Head(streamLayers[^1].Output, n, probabilities, model.Outputs);
    }

    /// <summary>Writes the head's outputs [n, O] of the first n streams as they stand, n = <paramref name="probabilities"/>.Length / O.</summary>
    public void ReadProbabilities(Span<float> probabilities)
    {
        model.ThrowIfDisposed();
        ThrowIfBidirectional();
        int n = probabilities.Length / model.Outputs;
        if (n < 1 || n > MaxBatch)
        {
            throw new ArgumentException($"Expected room for 1 to {MaxBatch} rows of {model.Outputs} outputs, found {probabilities.Length}.", nameof(probabilities));
        }

        Head(streamLayers[^1].Output, n, probabilities, model.Outputs);
    }

    private void ThrowIfBidirectional()
    {
        if (model.Shape.Bidirectional)
        {
            throw new InvalidOperationException("A bidirectional model cannot be streamed one step at a time: its reverse direction reads each sequence from its end. Use Predict with whole sequences.");
        }
    }

    /// <summary>[MaxBatch, H] the top layer's output of every stream after its last step (zeros after a reset; empty for a bidirectional model).</summary>
    public ReadOnlySpan<float> Output => model.Shape.Bidirectional ? default : streamLayers[^1].Output.AsSpan();

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

    // logits[n, O] = features[n, F] · fc.weight^T + fc.bias: F = H, the top layer's output, or both directions'.
    private Span<float> HeadInPlace(ReadOnlySpan<float> top, int n)
    {
        int outputs = model.Outputs, f = model.Shape.Features;
        var rows = logits.AsSpan(0, n * outputs);
        model.Head.Project(n, top[..(n * f)], f, model.HeadBias, rows, outputs, gemm);
        return rows;
    }

    // destination row r at r*stride: softmax(logits) for a classifying head, the logits themselves for regression.
    private void Head(ReadOnlySpan<float> top, int n, Span<float> destination, int stride)
    {
        int outputs = model.Outputs;
        var rows = HeadInPlace(top, n);
        for (int r = 0; r < n; r++)
        {
            var row = rows.Slice(r * outputs, outputs);
            var target = destination.Slice(r * stride, outputs);
            if (model.Shape.Head.Classifies) TensorPrimitives.SoftMax(row, target);
            else row.CopyTo(target);
        }
    }

    // Packed-A scratch of the largest product (k = max(I, H), m = n rows) plus one edge tile.
    internal static long GemmScratchFloats(int k, int rows) => Gemm.PackedProductScratchFloats(rows, k);
}
