using SimdRnn.Cells;
using SimdRnn.Model;

namespace SimdRnn.Inference;

/// <summary>
/// A trained network for classification only: its own copy of the parameters, never written after
/// construction, and every weight matrix packed once for the SIMD kernels (forward products only: no backward
/// packs). Immutable, so any number of
/// <see cref="InferenceSession"/>s on any threads may share one model; each thread needs its own session.
/// Shape letters: T steps, I inputs per step, H hidden, G gates, C classes, n rows (sequences or streams).
/// </summary>
public sealed partial class InferenceModel : IDisposable
{
    private readonly float[] parameters;
    private readonly Layer<float>[] layers;
    private readonly LayerWeights<float>[] weights;   // per layer: weight_ih, Whh_o, Whh_e
    private readonly IProjection<float> head;         // h[n, H] · fc.weight^T
    private int disposed;

    /// <summary>A model of <paramref name="shape"/> with a copy of <paramref name="parameters"/>, laid out as <see cref="NetworkShape.Tensors"/>.</summary>
    /// <exception cref="ArgumentException">The parameter count differs from the shape's.</exception>
    public InferenceModel(NetworkShape shape, ReadOnlySpan<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (parameters.Length != shape.ParameterCount)
        {
            throw new ArgumentException($"Expected {shape.ParameterCount} parameters for this {shape.Cell.Info.Name} network, found {parameters.Length}.", nameof(parameters));
        }

        Shape = shape;
        this.parameters = parameters.ToArray();
        weights = new LayerWeights<float>[shape.RecurrentLayers];
        PackedProjection<float>? packedHead = null;
        try
        {
            for (int l = 0; l < shape.RecurrentLayers; l++)
            {
                weights[l] = LayerWeights<float>.Float(shape, l, this.parameters);
                weights[l].Refresh();
            }

            packedHead = new PackedProjection<float>(this.parameters, shape.HeadWeight.Offset, shape.Outputs, shape.Features);
            packedHead.Refresh();
        }
        catch
        {
            foreach (var layer in weights) layer?.Dispose();
            packedHead?.Dispose();
            throw;
        }

        head = packedHead;
        layers = CreateLayers(shape, this.parameters, weights);
    }

    private static Layer<float>[] CreateLayers(NetworkShape shape, float[] parameters, LayerWeights<float>[] weights) =>
        Enumerable.Range(0, shape.RecurrentLayers).Select(l => shape.Cell.CreateLayer(shape, l, parameters, weights[l], backward: null)).ToArray();

    /// <summary>A model with a copy of <paramref name="network"/>'s current parameters; later training of the network does not reach it.</summary>
    public static InferenceModel FromNetwork(Network<float> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return new InferenceModel(network.Shape, network.Parameters);
    }

    public NetworkShape Shape { get; }

    /// <summary>How the weight matrices are held and multiplied: float32, or int8 with per-row scales.</summary>
    public WeightFormat Format { get; } = WeightFormat.Float32;

    /// <summary>The kernel the products run on in this process, e.g. <c>float32 Vector512</c> or <c>int8 AVX-VNNI (Vector256)</c>.</summary>
    public string Kernel => Format == WeightFormat.Int8 ? Kernels.Quantized.Int8Gemm.Describe(Kernels.Simd.Int8Kernel) : $"float32 {Kernels.Simd.Path}";

    /// <summary>T: time steps of a whole sequence.</summary>
    public int Steps => Shape.Steps;

    /// <summary>I: values per time step.</summary>
    public int Inputs => Shape.Inputs;

    /// <summary>O: the head's outputs per prediction (classes, or values), the length of one row of outputs.</summary>
    public int Outputs => Shape.Outputs;

    /// <summary>The head's outputs per sequence from <see cref="InferenceSession.Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>: O, or T*O for a per-step head.</summary>
    public int OutputsPerSequence => Shape.OutputsPerSequence;

    /// <summary>
    /// The parameters, read-only, in the layout of <see cref="NetworkShape.Tensors"/>; in an int8 model the weight
    /// matrices hold their dequantized values (q * scale).
    /// </summary>
    public ReadOnlySpan<float> Parameters => parameters;

    /// <summary>Bytes the model holds: its float parameters and the packed or quantized weight matrices (not the sessions' workspaces).</summary>
    public long WeightBytes => sizeof(float) * parameters.LongLength + weights.Sum(w => w.Bytes) + head.Bytes;

    /// <summary>
    /// Bytes one time step of every recurrent layer reads at batch 1: each layer's packed (or quantized) weight_ih and
    /// weight_hh, its biases and elementwise parameters. With <see cref="HeadReadBytes"/>, the floor of memory traffic a
    /// streaming step cannot go below (docs/embedding.md measures it against a read of that many bytes).
    /// </summary>
    public long StepReadBytes => weights.Sum(w => w.Bytes)
        + sizeof(float) * Shape.LayerParameters.Sum(l => (long)l.BiasIh.Length + l.BiasHh.Length + l.ElementwiseLength);

    /// <summary>Bytes the head reads per prediction at batch 1: its packed (or quantized) fc.weight and fc.bias.</summary>
    public long HeadReadBytes => head.Bytes + sizeof(float) * (long)Shape.HeadBias.Length;

    /// <summary>A session for up to <paramref name="maxBatch"/> sequences at once; see <see cref="InferenceSession"/>.</summary>
    public InferenceSession CreateSession(int maxBatch = 1) => new(this, maxBatch);

    /// <summary>Recurrent layer <paramref name="layer"/>, indexed by <see cref="NetworkShape.RecurrentLayer"/>.</summary>
    internal Layer<float> Layer(int layer) => layers[layer];

    internal IProjection<float> Head => head;

    internal ReadOnlySpan<float> HeadBias => Shape.HeadBias.Of(parameters);

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed != 0, this);

    /// <summary>Frees the packed weights. Sessions of a disposed model throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0) DisposeWeights();
    }

    private void DisposeWeights()
    {
        foreach (var layer in weights) layer.Dispose();
        head.Dispose();
        int8?.Dispose();
    }
}

/// <summary>How an <see cref="InferenceModel"/> holds and multiplies its weight matrices.</summary>
public enum WeightFormat
{
    /// <summary>float32, packed for the SIMD GEMM.</summary>
    Float32,

    /// <summary>int8 with a float scale per output row; activations quantized per row at run time, int32 sums.</summary>
    Int8,
}
