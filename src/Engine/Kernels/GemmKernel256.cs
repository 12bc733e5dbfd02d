using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.CompilerServices;

namespace SimdRnn.Kernels;

/// <summary>
/// The AVX2 micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators, which with the two B vectors and one
/// broadcast fits the 16 registers AVX2 has.
/// </summary>
internal readonly unsafe partial struct GemmKernel256 : IGemmKernel
{
    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    public static int MR => 6;

    public static int NR => 16;

    public static int KC => 256;

    public static int MC => 240;

    public static int NC => 2048;

    public static void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, float* destination) =>
        GemmPackingAvx.PackA(a, lda, transA, i0, rows, p0, kc, MR, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        Vector256<float> c00 = Vector256<float>.Zero; Vector256<float> c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero; Vector256<float> c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero; Vector256<float> c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero; Vector256<float> c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero; Vector256<float> c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero; Vector256<float> c51 = Vector256<float>.Zero;

        // k unrolled by two; the accumulators stay in registers for the whole loop.
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
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
                Vector256<float> a4 = Vector256.Create(a[4]);
                c40 = MultiplyAdd(a4, b0, c40); c41 = MultiplyAdd(a4, b1, c41);
                Vector256<float> a5 = Vector256.Create(a[5]);
                c50 = MultiplyAdd(a5, b0, c50); c51 = MultiplyAdd(a5, b1, c51);
            }
            {
                Vector256<float> b0 = Vector256.Load(b + 16);
                Vector256<float> b1 = Vector256.Load(b + 24);
                Vector256<float> a0 = Vector256.Create(a[6]);
                c00 = MultiplyAdd(a0, b0, c00); c01 = MultiplyAdd(a0, b1, c01);
                Vector256<float> a1 = Vector256.Create(a[7]);
                c10 = MultiplyAdd(a1, b0, c10); c11 = MultiplyAdd(a1, b1, c11);
                Vector256<float> a2 = Vector256.Create(a[8]);
                c20 = MultiplyAdd(a2, b0, c20); c21 = MultiplyAdd(a2, b1, c21);
                Vector256<float> a3 = Vector256.Create(a[9]);
                c30 = MultiplyAdd(a3, b0, c30); c31 = MultiplyAdd(a3, b1, c31);
                Vector256<float> a4 = Vector256.Create(a[10]);
                c40 = MultiplyAdd(a4, b0, c40); c41 = MultiplyAdd(a4, b1, c41);
                Vector256<float> a5 = Vector256.Create(a[11]);
                c50 = MultiplyAdd(a5, b0, c50); c51 = MultiplyAdd(a5, b1, c51);
            }
            a += 12;
            b += 32;
        }

        if (p < kc)
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
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = MultiplyAdd(a4, b0, c40); c41 = MultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = MultiplyAdd(a5, b0, c50); c51 = MultiplyAdd(a5, b1, c51);
        }

        StoreRow(c00, c01, c, RowOf(addend, 0, addendStride));
        StoreRow(c10, c11, c + 1 * ldc, RowOf(addend, 1, addendStride));
        StoreRow(c20, c21, c + 2 * ldc, RowOf(addend, 2, addendStride));
        StoreRow(c30, c31, c + 3 * ldc, RowOf(addend, 3, addendStride));
        StoreRow(c40, c41, c + 4 * ldc, RowOf(addend, 4, addendStride));
        StoreRow(c50, c51, c + 5 * ldc, RowOf(addend, 5, addendStride));
    }

    /// <summary>One row of a tile into C: its two sums, after the addend's row where there is one (the kernel's one addition).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector256<float> sum0, Vector256<float> sum1, float* c, float* addend)
    {
        if (addend != null)
        {
            sum0 = Vector256.Load(addend) + sum0;
            sum1 = Vector256.Load(addend + 8) + sum1;
        }

        Vector256.Store(sum0, c);
        Vector256.Store(sum1, c + 8);
    }

    /// <summary>Row <paramref name="i"/> of the addend, or null where there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* RowOf(float* addend, int i, nint addendStride) => addend == null ? null : addend + i * addendStride;

    /// <summary>a * b + c, fused where the CPU has FMA (all AVX2 CPUs in practice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
}
