using System.Numerics;
using System.Runtime.CompilerServices;
using SimdRnn.Cells;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>
/// Runs one of a cell's generated step passes over a step's rows of H hidden units: whole vectors on the process's SIMD path
/// (<see cref="Simd.Path"/>, with the lanes type the registry gives it), the rest one element at a time.
/// Double precision (the gradient checks) always runs scalar.
/// </summary>
internal static class CellDispatch<TCell, T>
    where TCell : ICell
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(ref CellStep<T> step, int rows, int hidden) => Run<ForwardPass>(ref step, rows, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForwardRecurrentInput(ref CellStep<T> step, int rows, int hidden) => Run<ForwardRecurrentInputPass>(ref step, rows, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward(ref CellStep<T> step, int rows, int hidden) => Run<BackwardPass>(ref step, rows, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BackwardRecurrentInput(ref CellStep<T> step, int rows, int hidden) => Run<BackwardRecurrentInputPass>(ref step, rows, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Run<TPass>(ref CellStep<T> step, int rows, int hidden) where TPass : struct, IPass
    {
        if (typeof(T) == typeof(float))
        {
            var onPath = new OnPath<TPass>(Unsafe.AsPointer(ref step), rows, hidden);
            Simd.Visit<OnPath<TPass>, bool>(Simd.Path, ref onPath);
        }
        else
        {
            TPass.Run<ScalarLanes<T>, T>(ref step, rows, 0, hidden);
        }
    }

    // A pass over whole vectors of the path's lanes, then the remainder in scalar lanes. The step is held by
    // address because a ref field cannot refer to a ref struct; a ref struct lives on the stack, so it stays put.
    private readonly unsafe struct OnPath<TPass>(void* step, int rows, int hidden) : ISimdPathVisitor<bool>
        where TPass : struct, IPass
    {

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel
        {
            ref CellStep<float> s = ref Unsafe.AsRef<CellStep<float>>(step);
            int whole = hidden - hidden % TLanes.Count;
            TPass.Run<TLanes, float>(ref s, rows, 0, whole);
            if (whole < hidden) TPass.Run<ScalarLanes<float>, float>(ref s, rows, whole, hidden);
            return true;
        }
    }

    // One generated method of the cell, as a type, so that Run is written once for all four.
    private interface IPass
    {
        static abstract void Run<TLanes, TElement>(ref CellStep<TElement> step, int rows, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement>;
    }

    private struct ForwardPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int rows, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.Forward<TLanes, TElement>(ref step, rows, start, end);
    }

    private struct ForwardRecurrentInputPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int rows, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.ForwardRecurrentInput<TLanes, TElement>(ref step, rows, start, end);
    }

    private struct BackwardPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int rows, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.Backward<TLanes, TElement>(ref step, rows, start, end);
    }

    private struct BackwardRecurrentInputPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int rows, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.BackwardRecurrentInput<TLanes, TElement>(ref step, rows, start, end);
    }
}
