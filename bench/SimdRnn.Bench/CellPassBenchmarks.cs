using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using SimdRnn.Cells;
using SimdRnn.Kernels;
using SimdRnn.Model;

namespace SimdRnn.Bench;

/// <summary>
/// The generated, fused LSTM step (one read and one write per element) against the same math as separate
/// TensorPrimitives passes over the whole step, for one time step of a 64-row chunk with 128 hidden units.
/// </summary>
public class CellPassBenchmarks
{
    private const int Rows = 64, Hidden = 128, Gates = 4;

    private readonly float[] xProj = Filled(Rows * Gates * Hidden, 1);
    private readonly float[] hProj = Filled(Rows * Gates * Hidden, 2);
    private readonly float[] hPrev = Filled(Rows * Hidden, 3);
    private readonly float[] cPrev = Filled(Rows * Hidden, 4);
    private readonly float[] gates = new float[Rows * Gates * Hidden];
    private readonly float[] cNew = new float[Rows * Hidden];
    private readonly float[] hNew = new float[Rows * Hidden];
    private readonly float[] dHNew = Filled(Rows * Hidden, 5);
    private readonly float[] dCNew = Filled(Rows * Hidden, 6);
    private readonly float[] dXProj = new float[Rows * Gates * Hidden];
    private readonly float[] dHPrev = new float[Rows * Hidden];
    private readonly float[] dCPrev = new float[Rows * Hidden];
    private readonly float[] scratch = new float[Rows * Gates * Hidden];

    [Benchmark(Baseline = true)]
    public void FusedForward()
    {
        var step = AllRows();
        Run(ref step, forward: true);
    }

    [Benchmark]
    public void FusedBackward()
    {
        var step = AllRows();
        Run(ref step, forward: false);
    }

    /// <summary>The forward step as TensorPrimitives passes: pre-activations, four activations, c, tanh(c), h.</summary>
    [Benchmark]
    public void UnfusedForward()
    {
        int gh = Gates * Hidden;
        TensorPrimitives.Add(xProj, hProj, scratch);
        for (int b = 0; b < Rows; b++)
        {
            var pre = scratch.AsSpan(b * gh, gh);
            var g = gates.AsSpan(b * gh, gh);
            TensorPrimitives.Sigmoid(pre[..(2 * Hidden)], g[..(2 * Hidden)]);
            TensorPrimitives.Tanh(pre.Slice(2 * Hidden, Hidden), g.Slice(2 * Hidden, Hidden));
            TensorPrimitives.Sigmoid(pre.Slice(3 * Hidden, Hidden), g.Slice(3 * Hidden, Hidden));
            var c = cNew.AsSpan(b * Hidden, Hidden);
            var h = hNew.AsSpan(b * Hidden, Hidden);
            TensorPrimitives.Multiply(g.Slice(Hidden, Hidden), cPrev.AsSpan(b * Hidden, Hidden), c);
            TensorPrimitives.MultiplyAdd(g[..Hidden], g.Slice(2 * Hidden, Hidden), c, c);
            TensorPrimitives.Tanh(c, h);
            TensorPrimitives.Multiply(h, g.Slice(3 * Hidden, Hidden), h);
        }
    }

    private CellStep<float> AllRows() => new()
    {
        Hidden = Hidden,
        XProj = xProj,
        HProj = hProj,
        HPrev = hPrev,
        StatePrev = cPrev,
        Gates = gates,
        StateNew = cNew,
        HNew = hNew,
        dHNew = dHNew,
        dStateNew = dCNew,
        dXProj = dXProj,
        dHPrev = dHPrev,
        dStatePrev = dCPrev,
    };

    // The engine's own dispatch: whole vectors of the process's SIMD path (SIMDRNN_SIMD chooses), then the rest.
    private static void Run(ref CellStep<float> step, bool forward)
    {
        if (forward) CellDispatch<LstmCell, float>.Forward(ref step, Rows, Hidden);
        else CellDispatch<LstmCell, float>.Backward(ref step, Rows, Hidden);
    }

    private static float[] Filled(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
