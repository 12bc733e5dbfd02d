using System.Numerics;
using System.Runtime.CompilerServices;
using SimdRnn.Data;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>
/// All memory one thread needs to run a chunk of up to <see cref="Capacity"/> sequences through the network,
/// forward and backward, allocated once: no allocation per batch.
/// </summary>
public sealed class ChunkWorkspace<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    internal ChunkWorkspace(NetworkShape shape, int capacity, bool dropout)
    {
        Capacity = capacity;
        Shape = shape;
        Input = new T[shape.Steps * capacity * shape.Inputs];
        sequence = new float[shape.Steps * shape.Inputs];
        lengths = new int[capacity];
        lengths.AsSpan().Fill(shape.Steps);
        InputGradient = new T[shape.Steps * capacity * shape.Inputs];
        int predictions = shape.Head.PredictionsPerSequence(shape.Steps) * capacity;
        Outputs = new T[predictions * shape.Outputs];
        dOutputs = new T[predictions * shape.Outputs];
        Labels = new int[shape.Head.Classifies ? predictions : 0];
        Targets = new T[shape.Head.Classifies ? 0 : predictions * shape.Outputs];
        Features = new T[capacity * shape.Features];
        dFeatures = new T[capacity * shape.Features];
        Layers = Enumerable.Range(0, shape.RecurrentLayers)
            .Select(_ => new LayerWorkspace<T>(shape.Cell.Info, shape.Steps, shape.Hidden, capacity))
            .ToArray();
        Levels = Enumerable.Range(0, shape.Layers)
            .Select(layer => new LevelWorkspace<T>(shape, layer, capacity, dropout && layer < shape.Layers - 1))
            .ToArray();
        CanDrop = dropout;
    }

    private readonly float[] sequence;   // [T*I] one sequence as stored, batch-major
    private readonly int[] lengths;      // [n] each row's steps, 1..T

    /// <summary>
    /// Bytes of the managed buffers a workspace of <paramref name="capacity"/> rows holds, computed from the shape
    /// before anything is allocated (the GEMM's packing scratch, bounded by the kernel's blocking, is apart).
    /// The same sums as the constructor's allocations; a test holds them to <see cref="AllocatedBytes"/>.
    /// </summary>
    public static long Bytes(NetworkShape shape, int capacity, bool dropout)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = capacity, steps = shape.Steps;
        long predictions = shape.Head.PredictionsPerSequence(shape.Steps) * n;
        long elements = 2 * steps * n * shape.Inputs                        // Input, InputGradient
            + 2 * predictions * shape.Outputs                               // Outputs, dOutputs
            + (shape.Head.Classifies ? 0 : predictions * shape.Outputs)     // Targets
            + 2 * n * shape.Features;                                       // Features, dFeatures
        for (int layer = 0; layer < shape.RecurrentLayers; layer++) elements += LayerWorkspace<T>.Elements(shape.Cell.Info, shape.Steps, shape.Hidden, capacity);
        for (int layer = 0; layer < shape.Layers; layer++) elements += LevelWorkspace<T>.Elements(shape, layer, capacity, dropout && layer < shape.Layers - 1);
        long others = sizeof(float) * steps * shape.Inputs + sizeof(int) * (n + (shape.Head.Classifies ? predictions : 0)); // sequence, lengths, Labels
        return elements * Unsafe.SizeOf<T>() + others;
    }

    /// <summary>Bytes of the managed buffers this workspace holds, counted from the arrays themselves.</summary>
    internal long AllocatedBytes()
    {
        long elements = Input.Length + InputGradient.Length + Outputs.Length + dOutputs.Length + Targets.Length + Features.Length + dFeatures.Length
            + Layers.Sum(l => l.AllocatedElements()) + Levels.Sum(l => l.AllocatedElements());
        return elements * Unsafe.SizeOf<T>() + sizeof(float) * (long)sequence.Length + sizeof(int) * ((long)lengths.Length + Labels.Length);
    }

    public int Capacity { get; }

    internal NetworkShape Shape { get; }

    /// <summary>[T, n, I] the chunk's sequences, time-major.</summary>
    public T[] Input { get; }

    /// <summary>[T, n, I] the gradient of the loss with respect to <see cref="Input"/>, when requested.</summary>
    public T[] InputGradient { get; }

    /// <summary>Whether backward computes <see cref="InputGradient"/> (off in training: nothing needs it).</summary>
    public bool ComputeInputGradient { get; set; }

    /// <summary>
    /// [n] each row's length, 1..T: the row's steps past it are padding that nothing reads (all T until set,
    /// and set by <see cref="SetSequence"/> from the data set).
    /// </summary>
    public Span<int> Lengths => lengths;

    /// <summary>
    /// The head's outputs: [n, O] for a last-step head, [T, n, O] (time-major) for a per-step head. Class logits
    /// for a classifying head, predicted values for a regression head.
    /// </summary>
    public T[] Outputs { get; }

    /// <summary>The gradient of the loss with respect to <see cref="Outputs"/>, same layout.</summary>
    internal T[] dOutputs { get; }

    /// <summary>A classifying head's labels of the chunk: [n], or [T, n] (time-major) per step; empty for regression.</summary>
    public int[] Labels { get; }

    /// <summary>A regression head's targets of the chunk: [n, K], or [T, n, K] per step; empty for classification.</summary>
    public T[] Targets { get; }

    /// <summary>[n, F] the last-step features gathered by <see cref="Network{T}.LastStepFeatures"/>.</summary>
    internal T[] Features { get; }

    /// <summary>[n, F] a head's gradient with respect to <see cref="Features"/>.</summary>
    internal T[] dFeatures { get; }

    /// <summary>Whether the workspace holds the buffers dropout needs (see <see cref="Network{T}.CreateWorkspace"/>).</summary>
    internal bool CanDrop { get; }

    /// <summary>
    /// Rows of the forward pass whose saved values the workspace holds, or 0: a backward pass writes gradients over
    /// them (the gates over the input projections, then their gradients over the gates), so it consumes them.
    /// </summary>
    internal int SavedForwardRows { get; set; }

    /// <summary>One per recurrent layer (stacked layer and direction), indexed by <see cref="NetworkShape.RecurrentLayer"/>.</summary>
    internal LayerWorkspace<T>[] Layers { get; }

    /// <summary>One per stacked layer: what joins its directions and what dropout keeps.</summary>
    internal LevelWorkspace<T>[] Levels { get; }

    internal GemmWorkspace Gemm { get; } = new();

    /// <summary>
    /// Uses the values written to <see cref="InitialOutput"/> and <see cref="InitialState"/> instead of zeros.
    /// </summary>
    public bool KeepInitialState
    {
        get => Layers[0].KeepInitialState;
        set
        {
            foreach (var layer in Layers) layer.KeepInitialState = value;
        }
    }

    /// <summary>[n, H] recurrent layer <paramref name="layer"/>'s output before the first step (<see cref="NetworkShape.RecurrentLayer"/>: PyTorch's h0 order).</summary>
    public Span<T> InitialOutput(int layer, int rows) => Layers[layer].Hidden.AsSpan(0, rows * Shape.Hidden);

    /// <summary>[n, S*H] layer <paramref name="layer"/>'s states before the first step.</summary>
    public Span<T> InitialState(int layer, int rows) => Layers[layer].States.AsSpan(0, rows * Shape.Cell.Info.StateCount * Shape.Hidden);

    /// <summary>
    /// [n, H] after backward: the gradient with respect to <see cref="InitialOutput"/>. Only with
    /// <see cref="KeepInitialState"/>: from a zero initial state backward leaves out the product that completes it.
    /// </summary>
    public ReadOnlySpan<T> InitialOutputGradient(int layer, int rows) => KeepInitialState
        ? Layers[layer].dHidden.AsSpan(0, rows * Shape.Hidden)
        : throw new InvalidOperationException("The initial output's gradient is computed only with KeepInitialState.");

    /// <summary>[n, S*H] after backward: the gradient with respect to <see cref="InitialState"/>.</summary>
    public ReadOnlySpan<T> InitialStateGradient(int layer, int rows) => Layers[layer].dState.AsSpan(0, rows * Shape.Cell.Info.StateCount * Shape.Hidden);

    /// <summary>
    /// Copies sequence <paramref name="index"/> of <paramref name="data"/> into row <paramref name="row"/> of
    /// <see cref="Input"/>, time-major, and its targets into <see cref="Labels"/> or <see cref="Targets"/> when the
    /// data has targets for this network's head (data for prediction only may have none).
    /// </summary>
    public void SetSequence(int row, int rows, SequenceDataset data, int index)
    {
        data.CopySequence(index, sequence);
        lengths[row] = data.Length(index);
        int steps = Shape.Steps, inputs = Shape.Inputs;
        for (int t = 0; t < steps; t++)
        {
            var source = sequence.AsSpan(t * inputs, inputs);
            var destination = Input.AsSpan((t * rows + row) * inputs, inputs);
            for (int i = 0; i < inputs; i++) destination[i] = T.CreateTruncating(source[i]);
        }

        var head = Shape.Head;
        if (data.Head.Kind != head.Kind) return;
        int predictions = head.PredictionsPerSequence(steps), outputs = head.Outputs;
        if (head.Classifies)
        {
            var labels = data.LabelsOf(index);
            for (int p = 0; p < predictions; p++) Labels[p * rows + row] = labels[p];
        }
        else
        {
            var targets = data.TargetsOf(index);
            for (int p = 0; p < predictions; p++)
            {
                var destination = Targets.AsSpan((p * rows + row) * outputs, outputs);
                for (int k = 0; k < outputs; k++) destination[k] = T.CreateTruncating(targets[p * outputs + k]);
            }
        }
    }

    public void Dispose() => Gemm.Dispose();
}
