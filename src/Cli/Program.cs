return SimdRnn.Cli.CliApp.Run(args, SimdRnn.Cells.CellCatalog.BuiltIn);
