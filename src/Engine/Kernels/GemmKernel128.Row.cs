using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>The 128-bit kernel's row product: two 12-column panels at once, six accumulators.</summary>
internal readonly unsafe partial struct GemmKernel128
{
    public static void RunRow(int kc, float* a, nint aStep, float* b, nint panelStride, int panels, float* c, float* addend) =>
        RowProduct<GemmKernel128, RowVector>.Run(kc, a, aStep, b, panelStride, panels, c, addend);

    /// <summary>
    /// A <see cref="Vector128{T}"/> with a fused multiply-add: <see cref="GemmKernel128.Run"/>'s FMAs (by lane on ARM64,
    /// from a broadcast elsewhere) round once too, so both give the same bits.
    /// </summary>
    internal readonly struct RowVector : IRowVector<RowVector>
    {
        private readonly Vector128<float> value;

        private RowVector(Vector128<float> value) => this.value = value;

        public static int Count => Vector128<float>.Count;

        public static RowVector Zero => new(Vector128<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Broadcast(float value) => new(Vector128.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Load(float* source) => new(Vector128.Load(source));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(RowVector value, float* destination) => Vector128.Store(value.value, destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector operator +(RowVector left, RowVector right) => new(left.value + right.value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector MultiplyAdd(RowVector a, float* b, RowVector addend) => new(Vector128.FusedMultiplyAdd(a.value, Vector128.Load(b), addend.value));
    }
}
