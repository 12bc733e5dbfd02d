using System.Numerics;
using SimdRnn.Cells;
using SimdRnn.Kernels;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary>
/// Hand-written cells for the IO tests, so they run without the generated registry. The step code ignores the
/// lanes type and loops one unit at a time; only the parameter layout and determinism matter here.
/// </summary>
internal static class TestCells
{
    /// <summary>Named like the built-in cells that the loader infers from the gate count.</summary>
    public static readonly CellEntry Rnn = CellEntry.For<TanhCell>();

    public static readonly CellEntry Lstm = CellEntry.For<ScaledSumCell>();

    public static readonly IReadOnlyList<CellEntry> All = [Rnn, Lstm];

    public static CellInfo WithHash(CellInfo info, string hash) => info with { SpecHash = hash };
}

/// <summary>h = tanh(x_a + h_a): one gate, as PyTorch's nn.RNN.</summary>
internal sealed class TanhCell : ICell
{
    public static CellInfo Info { get; } = new(
        "rnn", "test: tanh RNN",
        [new GateInfo("a", Activation.Tanh, "x_a + h_a", 0f, Recurrence.Output)],
        [], [], "h", "a", null, "test-rnn-1");

    public static void ForwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
    }

    public static void Forward<TLanes, T>(scoped ref readonly CellStep<T> rowsOfStep, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var step = rowsOfStep.Row(Info, row);
            for (int j = start; j < end; j++)
            {
                T a = T.Tanh(step.XProj[j] + step.HProj[j]);
                step.Gates[j] = a;
                step.HNew[j] = a;
            }
        }
    }

    public static void BackwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
    }

    public static void Backward<TLanes, T>(scoped ref readonly CellStep<T> rowsOfStep, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var step = rowsOfStep.Row(Info, row);
            for (int j = start; j < end; j++)
            {
                T a = step.Gates[j];
                T dPre = step.dHNew[j] * (T.One - a * a);
                step.dXProj[j] = dPre;
                step.dHProj[j] = dPre;
                step.dHPrev[j] = T.Zero;
            }
        }
    }
}

/// <summary>h = scale * tanh(a + b + c + d), four identity gates and an elementwise parameter: LSTM-sized tensors.</summary>
internal sealed class ScaledSumCell : ICell
{
    public static CellInfo Info { get; } = new(
        "lstm", "test: four gates summed",
        [
            new GateInfo("a", Activation.Identity, "x_a + h_a", 0f, Recurrence.Output),
            new GateInfo("b", Activation.Identity, "x_b + h_b", 1f, Recurrence.Output),
            new GateInfo("c", Activation.Identity, "x_c + h_c", 0f, Recurrence.Output),
            new GateInfo("d", Activation.Identity, "x_d + h_d", 0f, Recurrence.Output),
        ],
        [], [new ParameterInfo("scale", 0.5f, 1.5f)], "h", "scale * tanh(a + b + c + d)", null, "test-lstm-1");

    public static void ForwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
    }

    public static void Forward<TLanes, T>(scoped ref readonly CellStep<T> rowsOfStep, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var step = rowsOfStep.Row(Info, row);
            int h = step.Hidden;
            for (int j = start; j < end; j++)
            {
                T sum = T.Zero;
                for (int k = 0; k < 4; k++)
                {
                    T gate = step.XProj[k * h + j] + step.HProj[k * h + j];
                    step.Gates[k * h + j] = gate;
                    sum += gate;
                }

                step.HNew[j] = step.Params[j] * T.Tanh(sum);
            }
        }
    }

    public static void BackwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
    }

    public static void Backward<TLanes, T>(scoped ref readonly CellStep<T> rowsOfStep, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var step = rowsOfStep.Row(Info, row);
            int h = step.Hidden;
            for (int j = start; j < end; j++)
            {
                T sum = step.Gates[j] + step.Gates[h + j] + step.Gates[2 * h + j] + step.Gates[3 * h + j];
                T tanh = T.Tanh(sum);
                T dPre = step.dHNew[j] * step.Params[j] * (T.One - tanh * tanh);
                for (int k = 0; k < 4; k++)
                {
                    step.dXProj[k * h + j] = dPre;
                    step.dHProj[k * h + j] = dPre;
                }

                step.dHPrev[j] = T.Zero;
                step.dParams[j] += step.dHNew[j] * tanh;
            }
        }
    }
}

/// <summary>A fact that runs only when the generated built-in cells are in the engine (after the generator merge).</summary>
public sealed class BuiltInCellsFactAttribute : FactAttribute
{
    public BuiltInCellsFactAttribute()
    {
        if (CellCatalog.BuiltIn.Count == 0) Skip = "needs the generated built-in cells (CellCatalog.BuiltIn is empty)";
    }
}
