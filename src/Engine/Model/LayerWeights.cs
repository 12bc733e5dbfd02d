using System.Numerics;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>
/// One weight matrix W [N, K] as a forward pass multiplies by it: <c>c[m, N] += a[m, K] · W^T</c>. Each
/// implementation keeps W in its own format (packed float, int8 with row scales, ...), so a layer or head asks
/// for the product and never sees the format. Shared read-only by all threads; the per-thread scratch comes
/// with the <see cref="GemmWorkspace"/>.
/// </summary>
internal interface IProjection<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>K: the width of a row of a.</summary>
    int K { get; }

    /// <summary>N: the width of a row of c.</summary>
    int N { get; }

    /// <summary>Bytes of weights this projection holds (its packed or quantized copy).</summary>
    long Bytes { get; }

    /// <summary>c[i, :] = bias + a[i, :] · W^T for each of the m rows: rows of a at lda, rows of c at ldc, bias [N].</summary>
    void Project(int m, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> bias, Span<T> c, int ldc, GemmWorkspace gemm);
}

/// <summary>A float weight matrix of the flat parameter buffer, packed once for the SIMD GEMM and re-packed on <see cref="Refresh"/>.</summary>
internal sealed class PackedProjection<T> : IProjection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PackedWeights<T> weights;

    /// <summary>W [N, K] stored row-major at <paramref name="offset"/> of <paramref name="parameters"/>.</summary>
    public PackedProjection(T[] parameters, int offset, int n, int k) =>
        weights = new PackedWeights<T>(parameters, offset, k, transposed: true, k, n);

    public int K => weights.K;

    public int N => weights.N;

    public long Bytes => weights.Packed is { } packed ? sizeof(float) * Math.Max(packed.PanelStride * ((N + packed.PanelWidth - 1) / packed.PanelWidth), 16) : 0;

    public void Project(int m, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> bias, Span<T> c, int ldc, GemmWorkspace gemm) =>
        MatMul<T>.MultiplyAddBias(m, a, lda, weights, bias, c, ldc, gemm);

    /// <summary>Re-reads the parameters after they changed.</summary>
    public void Refresh() => weights.Refresh();

    public void Dispose() => weights.Dispose();
}

/// <summary>
/// The weights one layer's forward pass multiplies by, owned by whoever built the layer (a training network, an
/// inference model): the input projection of weight_ih, and the recurrent projections of weight_hh's rows that read
/// the previous output (Whh_o, rows [0, Ro*H)) and those that read the cell's recurrent-input expression (Whh_e, the
/// rest). Biases and elementwise parameters stay in the flat float buffer whatever the weights' format.
/// </summary>
internal sealed class LayerWeights<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PackedProjection<T>[] packed;

    public LayerWeights(IProjection<T> input, IProjection<T> output, IProjection<T> expression)
        : this(input, output, expression, [])
    {
    }

    private LayerWeights(IProjection<T> input, IProjection<T> output, IProjection<T> expression, PackedProjection<T>[] packed)
    {
        Input = input;
        Output = output;
        Expression = expression;
        this.packed = packed;
    }

    /// <summary>x[m, I] · weight_ih^T: [m, G*H].</summary>
    public IProjection<T> Input { get; }

    /// <summary>h[n, H] · Whh_o^T: [n, Ro*H].</summary>
    public IProjection<T> Output { get; }

    /// <summary>r[n, H] · Whh_e^T: [n, Re*H].</summary>
    public IProjection<T> Expression { get; }

    public long Bytes => Input.Bytes + Output.Bytes + Expression.Bytes;

    /// <summary>Layer <paramref name="layer"/>'s float weights in <paramref name="parameters"/>, packed by <see cref="Refresh"/>.</summary>
    public static LayerWeights<T> Float(NetworkShape shape, int layer, T[] parameters)
    {
        var info = shape.Cell.Info;
        var layout = shape.LayerParameters[layer];
        int h = shape.Hidden, whhE = layout.WeightHh.Offset + info.OutputRecurrentGates * h * h;
        var input = new PackedProjection<T>(parameters, layout.WeightIh.Offset, info.GateCount * h, shape.LayerInputs(layer));
        var output = new PackedProjection<T>(parameters, layout.WeightHh.Offset, info.OutputRecurrentGates * h, h);
        var expression = new PackedProjection<T>(parameters, whhE, info.ExpressionRecurrentGates * h, h);
        return new LayerWeights<T>(input, output, expression, [input, output, expression]);
    }

    /// <summary>Re-packs the float weights after the parameters changed; weights in another format are fixed when made.</summary>
    public void Refresh()
    {
        foreach (var projection in packed) projection.Refresh();
    }

    public void Dispose()
    {
        Input.Dispose();
        Output.Dispose();
        Expression.Dispose();
    }
}

/// <summary>
/// What only training's backward pass multiplies by: Whh_o and Whh_e as op(B) [R*H, H] (not transposed), for
/// dh[t-1] += dHP · Whh_o and dr = dRP · Whh_e at every step. Re-packed with the forward weights.
/// </summary>
internal sealed class BackwardWeights<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    public BackwardWeights(NetworkShape shape, int layer, T[] parameters)
    {
        var info = shape.Cell.Info;
        int h = shape.Hidden, whh = shape.LayerParameters[layer].WeightHh.Offset, whhE = whh + info.OutputRecurrentGates * h * h;
        Output = new PackedWeights<T>(parameters, whh, h, transposed: false, info.OutputRecurrentGates * h, h);
        Expression = new PackedWeights<T>(parameters, whhE, h, transposed: false, info.ExpressionRecurrentGates * h, h);
    }

    /// <summary>Whh_o as op(B) [Ro*H, H].</summary>
    public PackedWeights<T> Output { get; }

    /// <summary>Whh_e as op(B) [Re*H, H].</summary>
    public PackedWeights<T> Expression { get; }

    public void Refresh()
    {
        Output.Refresh();
        Expression.Refresh();
    }

    public void Dispose()
    {
        Output.Dispose();
        Expression.Dispose();
    }
}
