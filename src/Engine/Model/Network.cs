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

    /// <summary>Runs the chunk's <see cref="ChunkWorkspace{T}.Input"/> through every layer and the head into <see cref="ChunkWorkspace{T}.Logits"/>.</summary>
    public void Forward(ChunkWorkspace<T> ws, int rows)
    {
        int steps = Shape.Steps, h = Shape.Hidden, classes = Shape.Classes;
        ReadOnlySpan<T> input = ws.Input.AsSpan(0, steps * rows * Shape.Inputs);
        for (int l = 0; l < layers.Length; l++)
        {
            layers[l].Forward(ws.Layers[l], input, rows, ws.Gemm);
            input = ws.Layers[l].Hidden.AsSpan(rows * h, steps * rows * h);
        }

        // logits[n, C] = h_T[n, H] · fc.weight^T + fc.bias
        var last = LastOutput(ws, rows);
        var logits = ws.Logits.AsSpan(0, rows * classes);
        var bias = Shape.HeadBias.Of(Parameters);
        for (int r = 0; r < rows; r++) bias.CopyTo(logits.Slice(r * classes, classes));
        MatMul<T>.Multiply(rows, classes, h, last, h, false, Shape.HeadWeight.Of(Parameters), h, true, logits, classes, accumulate: true, ws.Gemm);
    }

    /// <summary>
    /// After <see cref="Forward"/>: the summed softmax cross-entropy of the chunk against <paramref name="labels"/>,
    /// and (+=) into <paramref name="gradients"/> the gradient of <paramref name="lossScale"/> times that sum.
    /// </summary>
    public double Backward(ChunkWorkspace<T> ws, int rows, ReadOnlySpan<int> labels, T lossScale, Span<T> gradients)
    {
        int steps = Shape.Steps, h = Shape.Hidden, classes = Shape.Classes;
        var logits = ws.Logits.AsSpan(0, rows * classes);
        var dLogits = ws.dLogits.AsSpan(0, rows * classes);
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = logits.Slice(r * classes, classes);
            var probabilities = dLogits.Slice(r * classes, classes);
            TensorPrimitives.SoftMax(row, probabilities);
            loss += double.CreateTruncating(CrossEntropy(row, labels[r]));

            // d(loss)/d(logits) = softmax - onehot
            probabilities[labels[r]] -= T.One;
            TensorPrimitives.Multiply(probabilities, lossScale, probabilities);
        }

        // fc.weight[C, H] += dlogits^T · h_T; fc.bias += column sums; dh_T = dlogits · fc.weight
        var last = LastOutput(ws, rows);
        MatMul<T>.Multiply(classes, h, rows, dLogits, classes, true, last, h, false, Shape.HeadWeight.Of(gradients), h, accumulate: true, ws.Gemm);
        var dBias = Shape.HeadBias.Of(gradients);
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(dBias, dLogits.Slice(r * classes, classes), dBias);

        var top = ws.Layers[^1];
        top.dOutput.AsSpan(0, steps * rows * h).Clear();
        MatMul<T>.Multiply(rows, h, classes, dLogits, classes, false, Shape.HeadWeight.Of(Parameters), h, false,
            top.dOutput.AsSpan((steps - 1) * rows * h, rows * h), h, accumulate: false, ws.Gemm);

        for (int l = layers.Length - 1; l >= 0; l--)
        {
            ReadOnlySpan<T> input = l == 0 ? ws.Input.AsSpan(0, steps * rows * Shape.Inputs) : ws.Layers[l - 1].Hidden.AsSpan(rows * h, steps * rows * h);
            Span<T> inputGradient = l > 0 ? ws.Layers[l - 1].dOutput.AsSpan(0, steps * rows * h)
                : ws.ComputeInputGradient ? ws.InputGradient.AsSpan(0, steps * rows * Shape.Inputs) : default;
            layers[l].Backward(ws.Layers[l], input, rows, gradients, inputGradient, ws.Gemm);
        }

        return loss;
    }

    /// <summary>[n, H] the top layer's output after the last step.</summary>
    public ReadOnlySpan<T> LastOutput(ChunkWorkspace<T> ws, int rows) =>
        ws.Layers[^1].Hidden.AsSpan(Shape.Steps * rows * Shape.Hidden, rows * Shape.Hidden);

    /// <summary>-log softmax(logits)[label], as log-sum-exp minus the label's logit: no overflow, no log of 0.</summary>
    public static T CrossEntropy(ReadOnlySpan<T> logits, int label)
    {
        T max = TensorPrimitives.Max(logits);
        T sum = T.Zero;
        foreach (var value in logits) sum += T.Exp(value - max);
        return max + T.Log(sum) - logits[label];
    }

    public void Dispose()
    {
        foreach (var layer in weights) layer.Dispose();
        foreach (var layer in backwardWeights) layer.Dispose();
    }
}
