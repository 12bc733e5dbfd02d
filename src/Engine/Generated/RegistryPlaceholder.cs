// TEMPORARY until the gen branch merges: the generator emits this registry.
namespace SimdRnn.Generated;
internal static class GeneratedCells { public static IReadOnlyList<SimdRnn.Cells.CellEntry> All { get; } = []; }
