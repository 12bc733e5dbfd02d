namespace SimdRnn.Cells;

/// <summary>Looks cells up by name in a registry such as <c>SimdRnn.Generated.GeneratedCells.All</c>.</summary>
public static class CellCatalog
{
    /// <summary>The cells built into the engine.</summary>
    public static IReadOnlyList<CellEntry> BuiltIn => SimdRnn.Generated.GeneratedCells.All;

    public static CellEntry? Find(IEnumerable<CellEntry> cells, string name) =>
        cells.FirstOrDefault(cell => string.Equals(cell.Info.Name, name, StringComparison.Ordinal));
}
