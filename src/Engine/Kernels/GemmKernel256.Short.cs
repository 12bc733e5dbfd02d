using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>
/// The AVX2 kernel's short tile: 4 x 16 in 8 ymm accumulators, reading the first four rows of a 6-row micro-panel.
/// A chunk of 64 rows is ten 6-row panels and one of 4; the full kernel spent a third of that last tile's FMAs on
/// padding and wrote it through the edge tile.
/// </summary>
internal readonly unsafe partial struct GemmKernel256
{
    public static int ShortMR => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunShort(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        Vector256<float> c00 = Vector256<float>.Zero; Vector256<float> c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero; Vector256<float> c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero; Vector256<float> c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero; Vector256<float> c31 = Vector256<float>.Zero;

        // The same k order as Run, one step at a time: 8 accumulators cover the FMA latency on their own.
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = MultiplyAdd(a0, b0, c00); c01 = MultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = MultiplyAdd(a1, b0, c10); c11 = MultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = MultiplyAdd(a2, b0, c20); c21 = MultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = MultiplyAdd(a3, b0, c30); c31 = MultiplyAdd(a3, b1, c31);
            a += MR;
            b += NR;
        }

        StoreRow(c00, c01, c, RowOf(addend, 0, addendStride));
        StoreRow(c10, c11, c + 1 * ldc, RowOf(addend, 1, addendStride));
        StoreRow(c20, c21, c + 2 * ldc, RowOf(addend, 2, addendStride));
        StoreRow(c30, c31, c + 3 * ldc, RowOf(addend, 3, addendStride));
    }
}
