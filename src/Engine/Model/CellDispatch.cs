using System.Numerics;
using System.Runtime.CompilerServices;
using SimdRnn.Cells;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>
/// Runs a cell's generated step over H hidden units: whole vectors on the widest accelerated path, the rest
/// one element at a time. Double precision (the gradient checks) always runs scalar.
/// </summary>
internal static class CellDispatch<TCell, T>
    where TCell : ICell
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(ref CellStep<T> step, int hidden)
    {
        if (typeof(T) == typeof(float))
        {
            ref var s = ref Unsafe.As<CellStep<T>, CellStep<float>>(ref step);
            int whole = hidden - hidden % Simd.FloatLanes;
            if (Simd.Path == SimdPath.Vector512) TCell.Forward<Lanes512, float>(ref s, 0, whole);
            else if (Simd.Path == SimdPath.Vector256) TCell.Forward<Lanes256, float>(ref s, 0, whole);
            TCell.Forward<ScalarLanes<float>, float>(ref s, whole, hidden);
        }
        else
        {
            TCell.Forward<ScalarLanes<T>, T>(ref step, 0, hidden);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForwardRecurrentInput(ref CellStep<T> step, int hidden)
    {
        if (typeof(T) == typeof(float))
        {
            ref var s = ref Unsafe.As<CellStep<T>, CellStep<float>>(ref step);
            int whole = hidden - hidden % Simd.FloatLanes;
            if (Simd.Path == SimdPath.Vector512) TCell.ForwardRecurrentInput<Lanes512, float>(ref s, 0, whole);
            else if (Simd.Path == SimdPath.Vector256) TCell.ForwardRecurrentInput<Lanes256, float>(ref s, 0, whole);
            TCell.ForwardRecurrentInput<ScalarLanes<float>, float>(ref s, whole, hidden);
        }
        else
        {
            TCell.ForwardRecurrentInput<ScalarLanes<T>, T>(ref step, 0, hidden);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward(ref CellStep<T> step, int hidden)
    {
        if (typeof(T) == typeof(float))
        {
            ref var s = ref Unsafe.As<CellStep<T>, CellStep<float>>(ref step);
            int whole = hidden - hidden % Simd.FloatLanes;
            if (Simd.Path == SimdPath.Vector512) TCell.Backward<Lanes512, float>(ref s, 0, whole);
            else if (Simd.Path == SimdPath.Vector256) TCell.Backward<Lanes256, float>(ref s, 0, whole);
            TCell.Backward<ScalarLanes<float>, float>(ref s, whole, hidden);
        }
        else
        {
            TCell.Backward<ScalarLanes<T>, T>(ref step, 0, hidden);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BackwardRecurrentInput(ref CellStep<T> step, int hidden)
    {
        if (typeof(T) == typeof(float))
        {
            ref var s = ref Unsafe.As<CellStep<T>, CellStep<float>>(ref step);
            int whole = hidden - hidden % Simd.FloatLanes;
            if (Simd.Path == SimdPath.Vector512) TCell.BackwardRecurrentInput<Lanes512, float>(ref s, 0, whole);
            else if (Simd.Path == SimdPath.Vector256) TCell.BackwardRecurrentInput<Lanes256, float>(ref s, 0, whole);
            TCell.BackwardRecurrentInput<ScalarLanes<float>, float>(ref s, whole, hidden);
        }
        else
        {
            TCell.BackwardRecurrentInput<ScalarLanes<T>, T>(ref step, 0, hidden);
        }
    }
}
