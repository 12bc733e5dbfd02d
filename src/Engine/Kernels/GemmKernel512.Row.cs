using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>The AVX-512 kernel's row product: four 32-column panels at once, eight zmm accumulators.</summary>
internal readonly unsafe partial struct GemmKernel512
{
    public static void RunRow(int kc, float* a, nint aStep, float* b, nint panelStride, int panels, float* c, float* addend) =>
        RowProduct<GemmKernel512, RowVector>.Run(kc, a, aStep, b, panelStride, panels, c, addend);

    /// <summary>A <see cref="Vector512{T}"/> with the fused multiply-add <see cref="GemmKernel512.Run"/> uses.</summary>
    internal readonly struct RowVector : IRowVector<RowVector>
    {
        private readonly Vector512<float> value;

        private RowVector(Vector512<float> value) => this.value = value;

        public static int Count => Vector512<float>.Count;

        public static RowVector Zero => new(Vector512<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Broadcast(float value) => new(Vector512.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Load(float* source) => new(Vector512.Load(source));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(RowVector value, float* destination) => Vector512.Store(value.value, destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector operator +(RowVector left, RowVector right) => new(left.value + right.value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector MultiplyAdd(RowVector a, float* b, RowVector addend) => new(Vector512.FusedMultiplyAdd(a.value, Vector512.Load(b), addend.value));
    }
}
