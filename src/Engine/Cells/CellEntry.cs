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

    internal abstract Layer<T> CreateLayer<T>(NetworkShape shape, int layer, T[] parameters)
        where T : unmanaged, IFloatingPointIeee754<T>;

    public override string ToString() => Info.Name;

    private sealed class Entry<TCell> : CellEntry where TCell : ICell
    {
        public override CellInfo Info => TCell.Info;

        internal override Layer<T> CreateLayer<T>(NetworkShape shape, int layer, T[] parameters) =>
            new RnnLayer<TCell, T>(shape, layer, parameters);
    }
}
