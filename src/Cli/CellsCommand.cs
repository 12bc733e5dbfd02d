using System.Globalization;
using System.Text;
using SimdRnn.Cells;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn cells</c>: every cell of the registry with its gates, states, parameters, output and weight blocks.</summary>
public sealed class CellsCommand : ICliCommand
{
    /// <summary>The size the per-layer parameter count is shown for: MNIST rows and the default hidden width.</summary>
    private const int ExampleInputs = 28, ExampleHidden = 128;

    public string Name => "cells";

    public string Summary => "List the recurrent cells, their gates, states and weight blocks";

    public string Usage => CommandLineParser.Usage("simdrnn cells", "Lists every cell that 'simdrnn train --cell NAME' accepts.", []);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, []);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        context.Out.Write(Describe(context.Cells.Select(c => c.Info).ToArray()));
        return ExitCodes.Success;
    }

    /// <summary>The listing, one block per cell, separated by blank lines.</summary>
    public static string Describe(IReadOnlyList<CellInfo> cells)
    {
        if (cells.Count == 0) return "No cells are registered.\n";

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{cells.Count} cell{(cells.Count == 1 ? "" : "s")}: {string.Join(", ", cells.Select(c => c.Name))}\n");
        foreach (var cell in cells)
        {
            text.Append('\n').Append(Describe(cell));
        }

        return text.ToString();
    }

    public static string Describe(CellInfo cell)
    {
        var text = new StringBuilder();
        text.Append(cell.Name);
        if (!string.IsNullOrWhiteSpace(cell.Description)) text.Append(": ").Append(cell.Description);
        text.Append('\n');

        text.Append("  gates\n");
        var gateRows = new List<string[]> { new[] { "name", "activation", "pre-activation", "bias init", "recurrence" } };
        gateRows.AddRange(cell.Gates.Select(g => new[]
        {
            g.Name, Activation(g.Activation), g.PreActivation, g.BiasInit.ToString(CultureInfo.InvariantCulture), Recurrence(g.Recurrence),
        }));
        AppendTable(text, "    ", gateRows);

        text.Append("  states\n");
        if (cell.States.Count == 0) text.Append("    (none)\n");
        foreach (var state in cell.States) text.Append("    ").Append(state.Name).Append(" = ").Append(state.Update).Append('\n');

        text.Append("  parameters\n");
        if (cell.Parameters.Count == 0) text.Append("    (none)\n");
        AppendTable(text, "    ", cell.Parameters.Select(p => new[]
        {
            p.Name, string.Create(CultureInfo.InvariantCulture, $"[H], initialised uniformly in [{p.InitLow}, {p.InitHigh}]"),
        }).ToList());

        text.Append("  output\n    ").Append(cell.OutputName).Append(" = ").Append(cell.Output).Append('\n');
        if (cell.RecurrentInput is { } recurrentInput) text.Append("  recurrent input\n    r = ").Append(recurrentInput).Append('\n');

        text.Append("  weights\n");
        AppendTable(text, "    ",
        [
            ["weight_ih", $"[{cell.GateCount}*H, I]", Blocks(cell.GateCount), "one per gate"],
            ["weight_hh", $"[{cell.RecurrentGates}*H, H]", Blocks(cell.RecurrentGates),
                $"{cell.OutputRecurrentGates} on the previous output, {cell.ExpressionRecurrentGates} on the recurrent input"],
            ["elementwise", $"{cell.ParameterCount} x [H]", Blocks(cell.ParameterCount), "trainable vectors"],
        ]);
        text.Append(CultureInfo.InvariantCulture,
            $"    {LayerParameters(cell, ExampleInputs, ExampleHidden):N0} parameters in a first layer of {ExampleHidden} units over {ExampleInputs} inputs\n");
        return text.ToString();
    }

    /// <summary>Weights and biases of one layer: G*H*(I+1) + R*H*(H+1) + P*H.</summary>
    public static long LayerParameters(CellInfo cell, int inputs, int hidden) =>
        (long)cell.GateCount * hidden * (inputs + 1) + (long)cell.RecurrentGates * hidden * (hidden + 1) + (long)cell.ParameterCount * hidden;

    private static string Blocks(int count) => count == 1 ? "1 block" : $"{count} blocks";

    private static string Activation(Activation activation) => activation switch
    {
        Cells.Activation.Identity => "identity",
        Cells.Activation.Sigmoid => "sigmoid",
        Cells.Activation.Tanh => "tanh",
        Cells.Activation.Relu => "relu",
        Cells.Activation.HardSigmoid => "hard_sigmoid",
        _ => activation.ToString().ToLowerInvariant(),
    };

    private static string Recurrence(Recurrence recurrence) => recurrence switch
    {
        Cells.Recurrence.None => "none",
        Cells.Recurrence.Output => "h (previous output)",
        Cells.Recurrence.Expression => "r (recurrent input)",
        _ => recurrence.ToString().ToLowerInvariant(),
    };

    private static void AppendTable(StringBuilder text, string indent, IReadOnlyList<string[]> rows)
    {
        if (rows.Count == 0) return;
        int columns = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder(indent);
            for (int c = 0; c < row.Length; c++)
            {
                line.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }
}
