using System.Runtime.CompilerServices;

namespace SimdRnn.Kernels;

/// <summary>The portable kernel's row product: two 4-column panels at once, eight scalar accumulators.</summary>
internal readonly unsafe partial struct GemmKernelScalar
{
    public static void RunRow(int kc, float* a, nint aStep, float* b, nint panelStride, int panels, float* c, float* addend) =>
        RowProduct<GemmKernelScalar, RowVector>.Run(kc, a, aStep, b, panelStride, panels, c, addend);

    /// <summary>One float with <see cref="GemmKernelScalar.Run"/>'s unfused multiply-add: a product rounded, then a sum rounded.</summary>
    internal readonly struct RowVector : IRowVector<RowVector>
    {
        private readonly float value;

        private RowVector(float value) => this.value = value;

        public static int Count => 1;

        public static RowVector Zero => new(0f);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Broadcast(float value) => new(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector Load(float* source) => new(*source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(RowVector value, float* destination) => *destination = value.value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector operator +(RowVector left, RowVector right) => new(left.value + right.value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RowVector MultiplyAdd(RowVector a, float* b, RowVector addend) => new(addend.value + a.value * *b);
    }
}
