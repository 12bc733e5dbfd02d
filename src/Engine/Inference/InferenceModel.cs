using SimdRnn.Cells;
using SimdRnn.Kernels;
using SimdRnn.Model;

namespace SimdRnn.Inference;

/// <summary>
/// A trained network for classification only: its own copy of the parameters, never written after
/// construction, and every weight matrix packed once for the SIMD kernels. Immutable, so any number of
/// <see cref="InferenceSession"/>s on any threads may share one model; each thread needs its own session.
/// Shape letters: T steps, I inputs per step, H hidden, G gates, C classes, n rows (sequences or streams).
/// </summary>
public sealed partial class InferenceModel : IDisposable
{
    private readonly float[] parameters;
    private readonly Layer<float>[] layers;
    private readonly PackedWeights<float>[] inputWeights;   // op(B) of x·weight_ih^T per recurrent layer: [I, G*H]
    private readonly PackedWeights<float> headWeights;      // op(B) of features·fc.weight^T: [F, C]
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
        layers = new Layer<float>[shape.RecurrentLayers];
        inputWeights = new PackedWeights<float>[shape.RecurrentLayers];
        int gh = shape.Cell.Info.GateCount * shape.Hidden;
        try
        {
            for (int l = 0; l < shape.RecurrentLayers; l++)
            {
                layers[l] = shape.Cell.CreateLayer(shape, l, this.parameters);
                layers[l].Refresh();
                int inputs = shape.LayerInputs(l);
                inputWeights[l] = new PackedWeights<float>(this.parameters, shape.LayerParameters[l].WeightIh.Offset, inputs, transposed: true, inputs, gh);
                inputWeights[l].Refresh();
            }

            headWeights = new PackedWeights<float>(this.parameters, shape.HeadWeight.Offset, shape.Features, transposed: true, shape.Features, shape.Outputs);
            headWeights.Refresh();
        }
        catch
        {
            DisposeWeights();
            throw;
        }
    }

    /// <summary>A model with a copy of <paramref name="network"/>'s current parameters; later training of the network does not reach it.</summary>
    public static InferenceModel FromNetwork(Network<float> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return new InferenceModel(network.Shape, network.Parameters);
    }

    public NetworkShape Shape { get; }

    /// <summary>T: time steps of a whole sequence.</summary>
    public int Steps => Shape.Steps;

    /// <summary>I: values per time step.</summary>
    public int Inputs => Shape.Inputs;

    /// <summary>O: the head's outputs per prediction (classes, or values), the length of one row of outputs.</summary>
    public int Outputs => Shape.Outputs;

    /// <summary>The head's outputs per sequence from <see cref="InferenceSession.Predict(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>: O, or T*O for a per-step head.</summary>
    public int OutputsPerSequence => Shape.OutputsPerSequence;

    /// <summary>The parameters, read-only, in the layout of <see cref="NetworkShape.Tensors"/>.</summary>
    public ReadOnlySpan<float> Parameters => parameters;

    /// <summary>Bytes the model holds: its parameters and their packed copies (not the sessions' workspaces).</summary>
    public long WeightBytes
    {
        get
        {
            // Each layer packs weight_hh for forward and, as built for training, backward; plus weight_ih and the head here.
            var info = Shape.Cell.Info;
            long packed = 0;
            for (int l = 0; l < Shape.RecurrentLayers; l++)
            {
                packed += 2L * PackedFloats(Shape.Hidden, info.OutputRecurrentGates * Shape.Hidden);
                packed += 2L * PackedFloats(Shape.Hidden, info.ExpressionRecurrentGates * Shape.Hidden);
                packed += PackedFloats(Shape.LayerInputs(l), info.GateCount * Shape.Hidden);
            }

            packed += PackedFloats(Shape.Features, Shape.Outputs);
            return sizeof(float) * (parameters.LongLength + packed);
        }
    }

    /// <summary>A session for up to <paramref name="maxBatch"/> sequences at once; see <see cref="InferenceSession"/>.</summary>
    public InferenceSession CreateSession(int maxBatch = 1) => new(this, maxBatch);

    /// <summary>Recurrent layer <paramref name="layer"/>, indexed by <see cref="NetworkShape.RecurrentLayer"/>.</summary>
    internal Layer<float> Layer(int layer) => layers[layer];

    internal PackedWeights<float> InputWeights(int layer) => inputWeights[layer];

    internal PackedWeights<float> HeadWeights => headWeights;

    internal ReadOnlySpan<float> HeadBias => Shape.HeadBias.Of(parameters);

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed != 0, this);

    /// <summary>Frees the packed weights. Sessions of a disposed model throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0) DisposeWeights();
    }

    private void DisposeWeights()
    {
        foreach (var layer in layers) layer?.Dispose();
        foreach (var weights in inputWeights) weights?.Dispose();
        headWeights?.Dispose();
    }

    // Floats of a packed [k, n] matrix: whole panels of NR columns.
    private static long PackedFloats(int k, int n)
    {
        if (k == 0 || n == 0) return 0;
        int nr = Gemm.PanelWidth(Simd.Path);
        return Math.Max((long)k * nr * ((n + nr - 1) / nr), 16);
    }
}
