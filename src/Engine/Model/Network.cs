using System.Numerics;
using System.Numerics.Tensors;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>
/// The network's parameters (one flat buffer, laid out by <see cref="NetworkShape"/>) and its forward and
/// backward passes over a chunk of sequences. Weights are shared read-only by all threads; each thread
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
        weights = Enumerable.Range(0, shape.Layers).Select(layer => LayerWeights<T>.Float(shape, layer, Parameters)).ToArray();
        backwardWeights = Enumerable.Range(0, shape.Layers).Select(layer => new BackwardWeights<T>(shape, layer, Parameters)).ToArray();
        layers = Enumerable.Range(0, shape.Layers).Select(layer => shape.Cell.CreateLayer(shape, layer, Parameters, weights[layer], backwardWeights[layer])).ToArray();
    }

    public NetworkShape Shape { get; }

    /// <summary>All parameters, laid out as <see cref="NetworkShape.Tensors"/>.</summary>
    public T[] Parameters { get; }

    public ChunkWorkspace<T> CreateWorkspace(int capacity) => new(Shape, capacity);

    /// <summary>Must be called after <see cref="Parameters"/> change: re-packs the weight matrices.</summary>
    public void ParametersChanged()
    {
        foreach (var layer in weights) layer.Refresh();
        foreach (var layer in backwardWeights) layer.Refresh();
    }

    /// <summary>
    /// Runs the chunk's <see cref="ChunkWorkspace{T}.Input"/> through every layer and the head into
    /// <see cref="ChunkWorkspace{T}.Outputs"/>: the head reads the top layer's output after the last step [n, H],
    /// or, for a per-step head, the output of every step [T*n, H] in one product.
    /// </summary>
    public void Forward(ChunkWorkspace<T> ws, int rows)
    {
        int steps = Shape.Steps, h = Shape.Hidden, outputs = Shape.Outputs;
        ReadOnlySpan<T> input = ws.Input.AsSpan(0, steps * rows * Shape.Inputs);
        for (int l = 0; l < layers.Length; l++)
        {
            layers[l].Forward(ws.Layers[l], input, rows, ws.Gemm);
            input = ws.Layers[l].Hidden.AsSpan(rows * h, steps * rows * h);
        }

        // outputs[P, O] = features[P, H] · fc.weight^T + fc.bias, P = n or T*n
        int predictions = Predictions(rows);
        var features = HeadInput(ws, rows);
        var result = ws.Outputs.AsSpan(0, predictions * outputs);
        var bias = Shape.HeadBias.Of(Parameters);
        for (int p = 0; p < predictions; p++) bias.CopyTo(result.Slice(p * outputs, outputs));
        MatMul<T>.Multiply(predictions, outputs, h, features, h, false, Shape.HeadWeight.Of(Parameters), h, true, result, outputs, accumulate: true, ws.Gemm);
    }

    /// <summary>
    /// After <see cref="Forward"/>: the summed loss (<see cref="HeadLoss"/>) of the chunk against the targets in
    /// <see cref="ChunkWorkspace{T}.Labels"/> or <see cref="ChunkWorkspace{T}.Targets"/>, and (+=) into
    /// <paramref name="gradients"/> the gradient of <paramref name="lossScale"/> times that sum.
    /// </summary>
    public double Backward(ChunkWorkspace<T> ws, int rows, T lossScale, Span<T> gradients)
    {
        int steps = Shape.Steps, h = Shape.Hidden, outputs = Shape.Outputs, predictions = Predictions(rows);
        var dOutputs = ws.dOutputs.AsSpan(0, predictions * outputs);
        double loss = HeadLoss.Apply(Shape.Head, predictions, ws.Outputs.AsSpan(0, predictions * outputs), ws.Labels,
            ws.Targets.AsSpan(0, Shape.Head.Classifies ? 0 : predictions * outputs), lossScale, dOutputs);

        // fc.weight[O, H] += dOutputs^T · features; fc.bias += column sums; dFeatures = dOutputs · fc.weight
        var features = HeadInput(ws, rows);
        MatMul<T>.Multiply(outputs, h, predictions, dOutputs, outputs, true, features, h, false, Shape.HeadWeight.Of(gradients), h, accumulate: true, ws.Gemm);
        var dBias = Shape.HeadBias.Of(gradients);
        for (int p = 0; p < predictions; p++) TensorPrimitives.Add(dBias, dOutputs.Slice(p * outputs, outputs), dBias);

        var top = ws.Layers[^1].dOutput.AsSpan(0, steps * rows * h);
        var dFeatures = Shape.Head.PerStep ? top : top[((steps - 1) * rows * h)..];
        if (!Shape.Head.PerStep) top.Clear();
        MatMul<T>.Multiply(predictions, h, outputs, dOutputs, outputs, false, Shape.HeadWeight.Of(Parameters), h, false, dFeatures, h, accumulate: false, ws.Gemm);

        for (int l = layers.Length - 1; l >= 0; l--)
        {
            ReadOnlySpan<T> input = l == 0 ? ws.Input.AsSpan(0, steps * rows * Shape.Inputs) : ws.Layers[l - 1].Hidden.AsSpan(rows * h, steps * rows * h);
            Span<T> inputGradient = l > 0 ? ws.Layers[l - 1].dOutput.AsSpan(0, steps * rows * h)
                : ws.ComputeInputGradient ? ws.InputGradient.AsSpan(0, steps * rows * Shape.Inputs) : default;
            layers[l].Backward(ws.Layers[l], input, rows, gradients, inputGradient, ws.Gemm);
        }

        return loss;
    }

    /// <summary>Head predictions in a chunk of <paramref name="rows"/> sequences: n, or T*n for a per-step head.</summary>
    public int Predictions(int rows) => Shape.Head.PredictionsPerSequence(Shape.Steps) * rows;

    /// <summary>[n, H] the top layer's output after the last step.</summary>
    public ReadOnlySpan<T> LastOutput(ChunkWorkspace<T> ws, int rows) =>
        ws.Layers[^1].Hidden.AsSpan(Shape.Steps * rows * Shape.Hidden, rows * Shape.Hidden);

    /// <summary>What the head reads: [n, H] after the last step, or [T, n, H] every step's output for a per-step head.</summary>
    private ReadOnlySpan<T> HeadInput(ChunkWorkspace<T> ws, int rows) => Shape.Head.PerStep
        ? ws.Layers[^1].Hidden.AsSpan(rows * Shape.Hidden, Shape.Steps * rows * Shape.Hidden)
        : LastOutput(ws, rows);

    public void Dispose()
    {
        foreach (var layer in weights) layer.Dispose();
        foreach (var layer in backwardWeights) layer.Dispose();
    }
}
