using SimdRnn.Cells;
using SimdRnn.Cli;

// The simdrnn program with one more cell: the engine's built-in cells and every [RecurrentCell] of this project.
return CliApp.Run(args, [.. CellCatalog.BuiltIn, .. SimdRnn.Generated.GeneratedCells.All]);
