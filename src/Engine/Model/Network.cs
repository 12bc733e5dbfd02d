using System.Numerics;
using System.Numerics.Tensors;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>
/// The network's parameters (one flat buffer, laid out by <see cref="NetworkShape"/>) and its forward and
/// backward passes over a chunk of sequences of their own lengths (PyTorch's packed-sequence semantics). Weights are shared read-only by all threads; each thread
/// brings its own <see cref="ChunkWorkspace{T}"/>.
/// </summary>
public sealed class Network<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Layer<T>[] layers;
    private readonly LayerWeights<T>[] weights;            // per layer, packed from Parameters
    private readonly BackwardWeights<T>[] backwardWeights; // per layer, packed from Parameters

    public Network(NetworkShape shape)
    {
        Shape = shape;
        Parameters = new T[shape.ParameterCount];
        weights = Enumerable.Range(0, shape.RecurrentLayers).Select(layer => LayerWeights<T>.Float(shape, layer, Parameters)).ToArray();
        backwardWeights = Enumerable.Range(0, shape.RecurrentLayers).Select(layer => new BackwardWeights<T>(shape, layer, Parameters)).ToArray();
        layers = Enumerable.Range(0, shape.RecurrentLayers).Select(layer => shape.Cell.CreateLayer(shape, layer, Parameters, weights[layer], backwardWeights[layer])).ToArray();
    }

    public NetworkShape Shape { get; }

    /// <summary>All parameters, laid out as <see cref="NetworkShape.Tensors"/>.</summary>
    public T[] Parameters { get; }

    /// <summary>
    /// Buffers for chunks of up to <paramref name="capacity"/> sequences; <paramref name="dropout"/> adds what a
    /// forward with <see cref="Dropout"/> needs (the dropped outputs and their masks).
    /// </summary>
    public ChunkWorkspace<T> CreateWorkspace(int capacity, bool dropout = false) => new(Shape, capacity, dropout);

    /// <summary>Must be called after <see cref="Parameters"/> change: re-packs the weight matrices.</summary>
    public void ParametersChanged()
    {
        for (int group = 0; group < PackedWeightGroups; group++) RefreshPackedWeights(group);
    }

    /// <summary>The groups of packed weights <see cref="ParametersChanged"/> re-packs: each layer's forward weights, then its backward ones.</summary>
    internal int PackedWeightGroups => weights.Length + backwardWeights.Length;

    /// <summary>Re-packs one group of <see cref="PackedWeightGroups"/>; the groups are independent, so threads may share them out.</summary>
    internal void RefreshPackedWeights(int group)
    {
        if (group < weights.Length) weights[group].Refresh();
        else backwardWeights[group - weights.Length].Refresh();
    }

    /// <summary>
    /// Runs the chunk's <see cref="ChunkWorkspace{T}.Input"/> through every layer and the head into
    /// <see cref="ChunkWorkspace{T}.Outputs"/>, dropping nothing: the head reads the top layer's output after each
    /// row's last step [n, F] (<see cref="LastStepFeatures"/>), or, for a per-step head, the output of every step
    /// [T*n, F] (<see cref="TopOutput"/>) in one product.
    /// </summary>
    public void Forward(ChunkWorkspace<T> ws, int rows) => Forward(ws, rows, default);

    /// <summary>As <see cref="Forward(ChunkWorkspace{T}, int)"/>, with <paramref name="dropout"/> between the layers (training).</summary>
    public void Forward(ChunkWorkspace<T> ws, int rows, Dropout dropout)
    {
        ForwardLayers(ws, rows, dropout);

        // outputs[P, O] = features[P, F] · fc.weight^T + fc.bias, P = n or T*n
        int f = Shape.Features, outputs = Shape.Outputs, predictions = Predictions(rows);
        var features = HeadInput(ws, rows);
        var result = ws.Outputs.AsSpan(0, predictions * outputs);
        var bias = Shape.HeadBias.Of(Parameters);
        for (int p = 0; p < predictions; p++) bias.CopyTo(result.Slice(p * outputs, outputs));
        MatMul<T>.Multiply(predictions, outputs, f, features, f, false, Shape.HeadWeight.Of(Parameters), f, true, result, outputs, accumulate: true, ws.Gemm);
    }

    /// <summary>
    /// After <see cref="Forward(ChunkWorkspace{T}, int, Dropout)"/> of the same rows, once (it consumes what forward saved): the summed loss (<see cref="HeadLoss"/>) of the chunk against the targets in
    /// <see cref="ChunkWorkspace{T}.Labels"/> or <see cref="ChunkWorkspace{T}.Targets"/>, and (+=) into
    /// <paramref name="gradients"/> the gradient of <paramref name="lossScale"/> times that sum. A per-step head
    /// leaves out the steps past each row's length.
    /// </summary>
    public double Backward(ChunkWorkspace<T> ws, int rows, T lossScale, Span<T> gradients)
    {
        RequireSavedForward(ws, rows);
        int f = Shape.Features, outputs = Shape.Outputs, predictions = Predictions(rows);
        var dOutputs = ws.dOutputs.AsSpan(0, predictions * outputs);
        var result = ws.Outputs.AsSpan(0, predictions * outputs);
        var targets = ws.Targets.AsSpan(0, Shape.Head.Classifies ? 0 : predictions * outputs);
        double loss = Shape.Head.PerStep && !AllFullLength(ws, rows)
            ? StepLossWithinLengths(ws, rows, result, targets, lossScale, dOutputs)
            : HeadLoss.Apply(Shape.Head, predictions, result, ws.Labels, targets, lossScale, dOutputs);

        // fc.weight[O, F] += dOutputs^T · features; fc.bias += column sums; dFeatures = dOutputs · fc.weight
        var features = HeadInput(ws, rows);
        MatMul<T>.Multiply(outputs, f, predictions, dOutputs, outputs, true, features, f, false, Shape.HeadWeight.Of(gradients), f, accumulate: true, ws.Gemm);
        var dBias = Shape.HeadBias.Of(gradients);
        for (int p = 0; p < predictions; p++) TensorPrimitives.Add(dBias, dOutputs.Slice(p * outputs, outputs), dBias);

        var dTop = TopOutputGradient(ws, rows);
        if (Shape.Head.PerStep)
        {
            // dTop[T*n, F] = dOutputs · fc.weight: zero past each row's length, as dOutputs is there.
            MatMul<T>.Multiply(predictions, f, outputs, dOutputs, outputs, false, Shape.HeadWeight.Of(Parameters), f, false, dTop, f, accumulate: false, ws.Gemm);
        }
        else
        {
            var dFeatures = ws.dFeatures.AsSpan(0, rows * f);
            MatMul<T>.Multiply(rows, f, outputs, dOutputs, outputs, false, Shape.HeadWeight.Of(Parameters), f, false, dFeatures, f, accumulate: false, ws.Gemm);
            if (Shape.Bidirectional)
            {
                dTop.Clear();
                AddLastStepFeaturesGradient(ws, rows, dFeatures);
            }
            else
            {
                // One direction: the top layer reads its output gradient at each row's last step only (see
                // BackwardLayers), so the rest of [T, n, F] is neither cleared nor read.
                for (int b = 0; b < rows; b++) dFeatures.Slice(b * f, f).CopyTo(dTop.Slice(((ws.Lengths[b] - 1) * rows + b) * f, f));
            }
        }

        BackwardLayers(ws, rows, gradients, topGradientAtLastStepsOnly: !Shape.Head.PerStep && !Shape.Bidirectional);
        return loss;
    }

    /// <summary>Head predictions in a chunk of <paramref name="rows"/> sequences: n, or T*n for a per-step head.</summary>
    public int Predictions(int rows) => Shape.Head.PredictionsPerSequence(Shape.Steps) * rows;

    /// <summary>What the head reads: [n, F] after each row's last step, or [T, n, F] every step's output for a per-step head.</summary>
    private ReadOnlySpan<T> HeadInput(ChunkWorkspace<T> ws, int rows) => Shape.Head.PerStep ? TopOutput(ws, rows) : LastStepFeatures(ws, rows);

    private static bool AllFullLength(ChunkWorkspace<T> ws, int rows) => !ws.Lengths[..rows].ContainsAnyExcept(ws.Shape.Steps);

    // A per-step head's loss over the steps within each row's length; the padded predictions get no loss and a zero gradient.
    private double StepLossWithinLengths(ChunkWorkspace<T> ws, int rows, ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, T lossScale, Span<T> dOutputs)
    {
        int width = Shape.Outputs, perTarget = Shape.Head.Classifies ? 0 : width;
        double loss = 0;
        for (int t = 0; t < Shape.Steps; t++)
        {
            for (int b = 0; b < rows; b++)
            {
                int p = t * rows + b;
                var gradient = dOutputs.Slice(p * width, width);
                if (t >= ws.Lengths[b])
                {
                    gradient.Clear();
                    continue;
                }

                loss += HeadLoss.Apply(Shape.Head, 1, outputs.Slice(p * width, width), Shape.Head.Classifies ? ws.Labels.AsSpan(p, 1) : default,
                    targets.Slice(p * perTarget, perTarget), lossScale, gradient);
            }
        }

        return loss;
    }

    // ---- The seams a head reads and writes: the top layer's output, at every step or at each row's last step. ----

    /// <summary>
    /// Runs every layer bottom-up over the chunk's input and <see cref="ChunkWorkspace{T}.Lengths"/>, with
    /// <paramref name="dropout"/> on each layer's output but the top one's; the head then reads
    /// <see cref="TopOutput"/> or <see cref="LastStepFeatures"/>.
    /// </summary>
    public void ForwardLayers(ChunkWorkspace<T> ws, int rows, Dropout dropout)
    {
        CheckLengths(ws, rows);
        if (dropout.IsActive && !ws.CanDrop && Shape.Layers > 1)
        {
            throw new InvalidOperationException("This workspace has no dropout buffers: create it with CreateWorkspace(capacity, dropout: true).");
        }

        int steps = Shape.Steps, h = Shape.Hidden, f = Shape.Features;
        ReadOnlySpan<int> lengths = ws.Lengths[..rows];
        for (int l = 0; l < Shape.Layers; l++)
        {
            var level = ws.Levels[l];
            int inputs = Shape.LayerInputs(Shape.RecurrentLayer(l, 0));
            ReadOnlySpan<T> input = LayerInput(ws, l, rows);
            var forward = ws.Layers[Shape.RecurrentLayer(l, 0)];
            layers[Shape.RecurrentLayer(l, 0)].Forward(forward, input, lengths, rows, ws.Gemm);
            if (Shape.Bidirectional)
            {
                // The reverse direction reads each row's valid steps last to first; its outputs are turned back into
                // time order beside the forward ones: output[t] = [forward h(t), reverse h(t)].
                var reversedInput = level.ReversedInput.AsSpan(0, steps * rows * inputs);
                StepRows.Reverse(input, inputs, reversedInput, inputs, inputs, lengths, steps, rows, accumulate: false);
                var reverse = ws.Layers[Shape.RecurrentLayer(l, 1)];
                layers[Shape.RecurrentLayer(l, 1)].Forward(reverse, reversedInput, lengths, rows, ws.Gemm);
                StepRows.Copy<T>(forward.Hidden.AsSpan(rows * h), h, level.Output, f, h, steps * rows);
                StepRows.Reverse<T>(reverse.Hidden.AsSpan(rows * h), h, level.Output.AsSpan(h), f, h, lengths, steps, rows, accumulate: false);
            }

            level.DroppedInForward = dropout.IsActive && l < Shape.Layers - 1;
            if (level.DroppedInForward)
            {
                var mask = level.Mask.AsSpan(0, steps * rows * f);
                dropout.FillMask(mask, l);
                TensorPrimitives.Multiply(LayerOutput(ws, l, rows), mask, level.Dropped.AsSpan(0, steps * rows * f));
            }
        }

        ws.SavedForwardRows = rows;
    }

    /// <summary>
    /// Refuses a backward pass without the forward pass it differentiates: each backward consumes what its forward
    /// saved (as PyTorch's backward frees its graph), so a second one needs the forward run again.
    /// </summary>
    private static void RequireSavedForward(ChunkWorkspace<T> ws, int rows)
    {
        if (ws.SavedForwardRows != rows)
        {
            throw new InvalidOperationException(ws.SavedForwardRows == 0
                ? "Backward needs a Forward of the same rows first: the last Backward consumed the values its Forward saved."
                : $"Backward of {rows} rows after a Forward of {ws.SavedForwardRows}: run Forward on the same rows first.");
        }
    }

    /// <summary>
    /// [T, n, F] the top layer's output at every step, time-major: step t of row b at (t*n + b)*F, the forward
    /// direction then (bidirectional) the reverse one, as PyTorch's batch_first=False output. Past a row's
    /// length the forward part is carried from its last step and the reverse part is zero; a loss reads only
    /// the steps within each row's length.
    /// </summary>
    public ReadOnlySpan<T> TopOutput(ChunkWorkspace<T> ws, int rows) => LayerOutput(ws, Shape.Layers - 1, rows);

    /// <summary>
    /// [T, n, F] where a head writes the gradient of its loss with respect to <see cref="TopOutput"/> before
    /// <see cref="BackwardLayers"/>; it must be zero past each row's length. Not cleared here: a head writes (=)
    /// or clears it and adds (+=).
    /// </summary>
    public Span<T> TopOutputGradient(ChunkWorkspace<T> ws, int rows) => LayerOutputGradient(ws, Shape.Layers - 1, rows);

    /// <summary>
    /// [n, F] what a last-step head reads, gathered into the workspace: row b's forward output after its own last
    /// step, then (bidirectional) the reverse direction's final output, which has read the row back to step 0:
    /// PyTorch's h_n of the top layer, [h_n forward, h_n reverse].
    /// </summary>
    public ReadOnlySpan<T> LastStepFeatures(ChunkWorkspace<T> ws, int rows)
    {
        int h = Shape.Hidden, f = Shape.Features;
        var features = ws.Features.AsSpan(0, rows * f);

        // Each direction's Hidden[T] holds every row's output after its own last step: later steps carried it.
        for (int direction = 0; direction < Shape.Directions; direction++)
        {
            var top = ws.Layers[Shape.RecurrentLayer(Shape.Layers - 1, direction)];
            StepRows.Copy<T>(top.Hidden.AsSpan(Shape.Steps * rows * h, rows * h), h, features[(direction * h)..], f, h, rows);
        }

        return features;
    }

    /// <summary>
    /// Adds (+=) <paramref name="dFeatures"/> [n, F], a gradient with respect to <see cref="LastStepFeatures"/>,
    /// into <see cref="TopOutputGradient"/> where those features sit: the forward part at each row's last step,
    /// the reverse part at step 0.
    /// </summary>
    public void AddLastStepFeaturesGradient(ChunkWorkspace<T> ws, int rows, ReadOnlySpan<T> dFeatures)
    {
        int h = Shape.Hidden, f = Shape.Features;
        var dTop = TopOutputGradient(ws, rows);
        for (int b = 0; b < rows; b++)
        {
            var forward = dTop.Slice(((ws.Lengths[b] - 1) * rows + b) * f, h);
            TensorPrimitives.Add(forward, dFeatures.Slice(b * f, h), forward);
            if (Shape.Bidirectional)
            {
                var reverse = dTop.Slice(b * f + h, h);
                TensorPrimitives.Add(reverse, dFeatures.Slice(b * f + h, h), reverse);
            }
        }
    }

    /// <summary>
    /// From <see cref="TopOutputGradient"/>, backward through every layer top-down after
    /// <see cref="ForwardLayers"/>: accumulates (+=) the layers' parameter gradients into <paramref name="gradients"/>
    /// and, when <see cref="ChunkWorkspace{T}.ComputeInputGradient"/>, writes the input gradient.
    /// With <paramref name="topGradientAtLastStepsOnly"/> (one direction only) the top layer reads its output gradient
    /// at each row's last step alone, as the gradient of <see cref="LastStepFeatures"/>: the other steps' are zero,
    /// and need not even be written.
    /// </summary>
    public void BackwardLayers(ChunkWorkspace<T> ws, int rows, Span<T> gradients, bool topGradientAtLastStepsOnly = false)
    {
        if (topGradientAtLastStepsOnly && Shape.Bidirectional) throw new ArgumentException("A bidirectional top level reads its output gradient at every step.", nameof(topGradientAtLastStepsOnly));
        RequireSavedForward(ws, rows);
        ws.SavedForwardRows = 0;
        int steps = Shape.Steps, h = Shape.Hidden, f = Shape.Features;
        ReadOnlySpan<int> lengths = ws.Lengths[..rows];
        for (int l = Shape.Layers - 1; l >= 0; l--)
        {
            var level = ws.Levels[l];
            var forward = ws.Layers[Shape.RecurrentLayer(l, 0)];
            if (Shape.Bidirectional)
            {
                var dOutput = level.dOutput.AsSpan(0, steps * rows * f);
                StepRows.Copy<T>(dOutput, f, forward.dOutput, h, h, steps * rows);
                StepRows.Reverse<T>(dOutput[h..], f, ws.Layers[Shape.RecurrentLayer(l, 1)].dOutput, h, h, lengths, steps, rows, accumulate: false);
            }

            int inputs = Shape.LayerInputs(Shape.RecurrentLayer(l, 0));
            ReadOnlySpan<T> input = LayerInput(ws, l, rows);
            Span<T> inputGradient = l > 0 ? LayerOutputGradient(ws, l - 1, rows)
                : ws.ComputeInputGradient ? ws.InputGradient.AsSpan(0, steps * rows * Shape.Inputs) : default;
            layers[Shape.RecurrentLayer(l, 0)].Backward(forward, input, lengths, rows, gradients, inputGradient, ws.Gemm,
                outputGradientAtLastStepsOnly: topGradientAtLastStepsOnly && l == Shape.Layers - 1);
            if (Shape.Bidirectional)
            {
                var dReversedInput = inputGradient.IsEmpty ? default : level.dReversedInput.AsSpan(0, steps * rows * inputs);
                layers[Shape.RecurrentLayer(l, 1)].Backward(ws.Layers[Shape.RecurrentLayer(l, 1)], level.ReversedInput.AsSpan(0, steps * rows * inputs), lengths, rows, gradients, dReversedInput, ws.Gemm);
                if (!inputGradient.IsEmpty) StepRows.Reverse<T>(dReversedInput, inputs, inputGradient, inputs, inputs, lengths, steps, rows, accumulate: true);
            }

            // Through the dropout below: the dropped values were output * mask.
            if (l > 0 && ws.Levels[l - 1].DroppedInForward)
            {
                TensorPrimitives.Multiply(inputGradient, ws.Levels[l - 1].Mask.AsSpan(0, steps * rows * f), inputGradient);
            }
        }
    }

    // [T, n, I] what stacked layer l reads: the input, or the output of the layer below (dropped, if it was).
    private ReadOnlySpan<T> LayerInput(ChunkWorkspace<T> ws, int layer, int rows)
    {
        if (layer == 0) return ws.Input.AsSpan(0, Shape.Steps * rows * Shape.Inputs);
        var below = ws.Levels[layer - 1];
        return below.DroppedInForward ? below.Dropped.AsSpan(0, Shape.Steps * rows * Shape.Features) : LayerOutput(ws, layer - 1, rows);
    }

    // [T, n, F] stacked layer l's output: the forward layer's outputs themselves, or the joined directions.
    private Span<T> LayerOutput(ChunkWorkspace<T> ws, int layer, int rows)
    {
        int count = Shape.Steps * rows * Shape.Features;
        return Shape.Bidirectional ? ws.Levels[layer].Output.AsSpan(0, count)
            : ws.Layers[Shape.RecurrentLayer(layer, 0)].Hidden.AsSpan(rows * Shape.Hidden, count);
    }

    private Span<T> LayerOutputGradient(ChunkWorkspace<T> ws, int layer, int rows)
    {
        int count = Shape.Steps * rows * Shape.Features;
        return Shape.Bidirectional ? ws.Levels[layer].dOutput.AsSpan(0, count) : ws.Layers[Shape.RecurrentLayer(layer, 0)].dOutput.AsSpan(0, count);
    }

    private void CheckLengths(ChunkWorkspace<T> ws, int rows)
    {
        for (int b = 0; b < rows; b++)
        {
            int length = ws.Lengths[b];
            if (length < 1 || length > Shape.Steps)
            {
                throw new ArgumentOutOfRangeException(nameof(ws), $"Row {b} has length {length}: expected 1 to {Shape.Steps} steps.");
            }
        }
    }

    public void Dispose()
    {
        foreach (var layer in weights) layer.Dispose();
        foreach (var layer in backwardWeights) layer.Dispose();
    }
}
