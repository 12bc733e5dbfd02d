namespace SimdRnn.Cells;

/// <summary>
/// A cell the engine can build layers of. The source generator emits one per <see cref="RecurrentCellAttribute"/>
/// into the compilation's <c>SimdRnn.Generated.GeneratedCells.All</c> registry: no reflection, NativeAOT-safe.
/// </summary>
public abstract class CellEntry
{
    public abstract CellInfo Info { get; }

    public static CellEntry For<TCell>() where TCell : ICell => new Entry<TCell>();

    private sealed class Entry<TCell> : CellEntry where TCell : ICell
    {
        public override CellInfo Info => TCell.Info;
    }
}
