using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SimdRnn.Cells;
using SimdRnn.Kernels;
namespace SimdRnn.Tests.Gradients;

/// <summary>
/// A hand-written TF1 GRU whose update-gate derivative drops the factor (1 - z): the wrong gradient the
/// checker must reject, so that a passing gradient property means something.
/// </summary>
public sealed class BrokenGruCell : ICell
{
    public static CellInfo Info { get; } = new("broken-gru", "", [
        new GateInfo("r", Activation.Sigmoid, "x_r + h_r", 0, Recurrence.Output),
        new GateInfo("z", Activation.Sigmoid, "x_z + h_z", 0, Recurrence.Output),
        new GateInfo("n", Activation.Tanh, "x_n + h_n", 0, Recurrence.Expression)], [], [], "h", "z*h+(1-z)*n", "r * h", "0");

    static ref T At<T>(ReadOnlySpan<T> s, int i) => ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);
    static ref T At<T>(Span<T> s, int i) => ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);

    public static void ForwardRecurrentInput<L, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end) where L : struct, ILanes<L, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var s = step.Row(Info, row);
            int H = s.Hidden;
            for (int j = start; j < end; j += L.Count)
            {
                var r = L.Sigmoid(L.Load(in At(s.XProj, 0 * H + j)) + L.Load(in At(s.HProj, 0 * H + j)));
                L.Store(r * L.Load(in At(s.HPrev, j)), ref At(s.RInput, j));
            }
        }
    }

    public static void Forward<L, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end) where L : struct, ILanes<L, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var s = step.Row(Info, row);
            int H = s.Hidden;
            for (int j = start; j < end; j += L.Count)
            {
                var r = L.Sigmoid(L.Load(in At(s.XProj, 0 * H + j)) + L.Load(in At(s.HProj, 0 * H + j)));
                var z = L.Sigmoid(L.Load(in At(s.XProj, 1 * H + j)) + L.Load(in At(s.HProj, 1 * H + j)));
                var n = L.Tanh(L.Load(in At(s.XProj, 2 * H + j)) + L.Load(in At(s.RProj, 0 * H + j)));
                var h = L.Load(in At(s.HPrev, j));
                L.Store(r, ref At(s.Gates, 0 * H + j)); L.Store(z, ref At(s.Gates, 1 * H + j)); L.Store(n, ref At(s.Gates, 2 * H + j));
                L.Store(z * h + (L.Constant(1) - z) * n, ref At(s.HNew, j));
            }
        }
    }

    public static void BackwardRecurrentInput<L, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end) where L : struct, ILanes<L, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var s = step.Row(Info, row);
            int H = s.Hidden;
            for (int j = start; j < end; j += L.Count)
            {
                var z = L.Load(in At(s.Gates, 1 * H + j)); var n = L.Load(in At(s.Gates, 2 * H + j));
                var dh = L.Load(in At(s.dHNew, j));
                var dpn = dh * (L.Constant(1) - z) * (L.Constant(1) - n * n);
                L.Store(dpn, ref At(s.dRProj, 0 * H + j));
            }
        }
    }

    public static void Backward<L, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end) where L : struct, ILanes<L, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int row = 0; row < rows; row++)
        {
            var s = step.Row(Info, row);
            int H = s.Hidden;
            for (int j = start; j < end; j += L.Count)
            {
                var r = L.Load(in At(s.Gates, 0 * H + j)); var z = L.Load(in At(s.Gates, 1 * H + j)); var n = L.Load(in At(s.Gates, 2 * H + j));
                var h = L.Load(in At(s.HPrev, j));
                var dh = L.Load(in At(s.dHNew, j));
                var dpn = dh * (L.Constant(1) - z) * (L.Constant(1) - n * n);
                L.Store(dpn, ref At(s.dXProj, 2 * H + j));
                var dpz = dh * (h - n) * z;
                L.Store(dpz, ref At(s.dXProj, 1 * H + j)); L.Store(dpz, ref At(s.dHProj, 1 * H + j));
                var dR = L.Load(in At(s.dRInput, j));
                var dpr = dR * h * r * (L.Constant(1) - r);
                L.Store(dpr, ref At(s.dXProj, 0 * H + j)); L.Store(dpr, ref At(s.dHProj, 0 * H + j));
                L.Store(dh * z + dR * r, ref At(s.dHPrev, j));
            }
        }
    }
}
