using System.Numerics;
using SimdRnn.Model;

namespace SimdRnn.Cells;

/// <summary>
/// A cell the engine can build layers of. The source generator emits one per <see cref="RecurrentCellAttribute"/>
/// into the compilation's <c>SimdRnn.Generated.GeneratedCells.All</c> registry: no reflection, NativeAOT-safe.
/// </summary>
public abstract class CellEntry
{
    public abstract CellInfo Info { get; }

    public static CellEntry For<TCell>() where TCell : ICell => new Entry<TCell>();

    /// <summary>Layer <paramref name="layer"/> of <paramref name="shape"/> over its owner's parameters and weights (backward ones only for training).</summary>
    internal abstract Layer<T> CreateLayer<T>(NetworkShape shape, int layer, T[] parameters, LayerWeights<T> weights, BackwardWeights<T>? backward)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public override string ToString() => Info.Name;

    private sealed class Entry<TCell> : CellEntry where TCell : ICell
    {
        public override CellInfo Info => TCell.Info;

        // NativeAOT: the generic virtual CreateLayer<T> gets its dictionary built at run time, and the type
        // loader cannot resolve the cell's static abstract generic methods (ICell.Forward<TLanes, T>, ...)
        // from there ("Generic virtual method pointer lookup failure"). The layers are therefore made in
        // non-generic methods, whose RnnLayer<TCell, float|double> the compiler builds ahead of time.
        internal override Layer<T> CreateLayer<T>(NetworkShape shape, int layer, T[] parameters, LayerWeights<T> weights, BackwardWeights<T>? backward)
        {
            if (typeof(T) == typeof(float))
            {
                return (Layer<T>)(object)CreateFloat(shape, layer, (float[])(object)parameters, (LayerWeights<float>)(object)weights, (BackwardWeights<float>?)(object?)backward);
            }

            if (typeof(T) == typeof(double))
            {
                return (Layer<T>)(object)CreateDouble(shape, layer, (double[])(object)parameters, (LayerWeights<double>)(object)weights, (BackwardWeights<double>?)(object?)backward);
            }

            return new RnnLayer<TCell, T>(shape, layer, parameters, weights, backward);
        }

        private static RnnLayer<TCell, float> CreateFloat(NetworkShape shape, int layer, float[] parameters, LayerWeights<float> weights, BackwardWeights<float>? backward) =>
            new(shape, layer, parameters, weights, backward);

        private static RnnLayer<TCell, double> CreateDouble(NetworkShape shape, int layer, double[] parameters, LayerWeights<double> weights, BackwardWeights<double>? backward) =>
            new(shape, layer, parameters, weights, backward);
    }
}
