using System.Numerics;
using System.Runtime.CompilerServices;
using SimdRnn.Cells;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>
/// Runs one of a cell's generated step passes over H hidden units: whole vectors on the widest accelerated
/// path, the rest one element at a time. Double precision (the gradient checks) always runs scalar.
/// </summary>
internal static class CellDispatch<TCell, T>
    where TCell : ICell
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(ref CellStep<T> step, int hidden) => Run<ForwardPass>(ref step, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForwardRecurrentInput(ref CellStep<T> step, int hidden) => Run<ForwardRecurrentInputPass>(ref step, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward(ref CellStep<T> step, int hidden) => Run<BackwardPass>(ref step, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BackwardRecurrentInput(ref CellStep<T> step, int hidden) => Run<BackwardRecurrentInputPass>(ref step, hidden);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run<TPass>(ref CellStep<T> step, int hidden) where TPass : struct, IPass
    {
        if (typeof(T) == typeof(float))
        {
            ref var s = ref Unsafe.As<CellStep<T>, CellStep<float>>(ref step);
            int whole = hidden - hidden % Simd.FloatLanes;
            if (Simd.Path == SimdPath.Vector512) TPass.Run<Lanes512, float>(ref s, 0, whole);
            else if (Simd.Path == SimdPath.Vector256) TPass.Run<Lanes256, float>(ref s, 0, whole);
            TPass.Run<ScalarLanes<float>, float>(ref s, whole, hidden);
        }
        else
        {
            TPass.Run<ScalarLanes<T>, T>(ref step, 0, hidden);
        }
    }

    // One generated method of the cell, as a type, so that Run is written once for all four.
    private interface IPass
    {
        static abstract void Run<TLanes, TElement>(ref CellStep<TElement> step, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement>;
    }

    private struct ForwardPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.Forward<TLanes, TElement>(ref step, start, end);
    }

    private struct ForwardRecurrentInputPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.ForwardRecurrentInput<TLanes, TElement>(ref step, start, end);
    }

    private struct BackwardPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.Backward<TLanes, TElement>(ref step, start, end);
    }

    private struct BackwardRecurrentInputPass : IPass
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TLanes, TElement>(ref CellStep<TElement> step, int start, int end)
            where TLanes : struct, ILanes<TLanes, TElement>
            where TElement : unmanaged, IFloatingPointIeee754<TElement> => TCell.BackwardRecurrentInput<TLanes, TElement>(ref step, start, end);
    }
}
