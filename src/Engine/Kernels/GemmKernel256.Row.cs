using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>The AVX2 kernel's row product: four 16-column panels at once, eight ymm accumulators.</summary>
internal readonly unsafe partial struct GemmKernel256
{
    public static void RunRow(int kc, float* a, nint aStep, float* b, nint panelStride, int panels, float* c, float* addend) =>
        RowProduct<GemmKernel256, RowVector>.Run(kc, a, aStep, b, panelStride, panels, c, addend);

    /// <summary>A <see cref="Vector256{T}"/> with this kernel's own multiply-add (fused where the CPU has FMA), so both round alike.</summary>
    internal readonly struct RowVector : IRowVector<RowVector>
    {
        private readonly Vector256<float> value;

        private RowVector(Vector256<float> value) => this.value = value;

        public static int Count => Vector256<float>.Count;

        public static RowVector Zero => new(Vector256<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Broadcast(float value) => new(Vector256.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Load(float* source) => new(Vector256.Load(source));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(RowVector value, float* destination) => Vector256.Store(value.value, destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector operator +(RowVector left, RowVector right) => new(left.value + right.value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector MultiplyAdd(RowVector a, float* b, RowVector addend) => new(GemmKernel256.MultiplyAdd(a.value, Vector256.Load(b), addend.value));
    }
}
