using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>
/// The AVX2 kernel's tiles on rows of an A left in place (row i at <c>a + i * lda</c>), not packed: each k step
/// broadcasts element p of each row, as the packed kernel broadcasts it from its panel, so the FMAs and the bits
/// are the packed kernel's. A step's recurrent product has a fresh [n, H] A for every product (the previous
/// output, the projections' gradient), and packing it (a transpose in registers, and the short tile's panel) was
/// 4.2% of rnn-128 training under perf on Zen 3, against about 60% in the kernels themselves.
/// </summary>
internal readonly unsafe partial struct GemmKernel256
{
    public static bool ReadsRowsOfA => true;

    /// <summary><see cref="Run"/> over six rows of A in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunOnRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        Vector256<float> c00 = Vector256<float>.Zero; Vector256<float> c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero; Vector256<float> c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero; Vector256<float> c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero; Vector256<float> c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero; Vector256<float> c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero; Vector256<float> c51 = Vector256<float>.Zero;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda;
        float* a3 = a + 3 * lda, a4 = a3 + lda, a5 = a3 + 2 * lda;

        // The same k order as the packed kernel, one step at a time: row i's element p is at a_i[p].
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> x0 = Vector256.Create(a0[p]);
            c00 = MultiplyAdd(x0, b0, c00); c01 = MultiplyAdd(x0, b1, c01);
            Vector256<float> x1 = Vector256.Create(a1[p]);
            c10 = MultiplyAdd(x1, b0, c10); c11 = MultiplyAdd(x1, b1, c11);
            Vector256<float> x2 = Vector256.Create(a2[p]);
            c20 = MultiplyAdd(x2, b0, c20); c21 = MultiplyAdd(x2, b1, c21);
            Vector256<float> x3 = Vector256.Create(a3[p]);
            c30 = MultiplyAdd(x3, b0, c30); c31 = MultiplyAdd(x3, b1, c31);
            Vector256<float> x4 = Vector256.Create(a4[p]);
            c40 = MultiplyAdd(x4, b0, c40); c41 = MultiplyAdd(x4, b1, c41);
            Vector256<float> x5 = Vector256.Create(a5[p]);
            c50 = MultiplyAdd(x5, b0, c50); c51 = MultiplyAdd(x5, b1, c51);
            b += NR;
        }

        StoreRow(c00, c01, c, RowOf(addend, 0, addendStride));
        StoreRow(c10, c11, c + 1 * ldc, RowOf(addend, 1, addendStride));
        StoreRow(c20, c21, c + 2 * ldc, RowOf(addend, 2, addendStride));
        StoreRow(c30, c31, c + 3 * ldc, RowOf(addend, 3, addendStride));
        StoreRow(c40, c41, c + 4 * ldc, RowOf(addend, 4, addendStride));
        StoreRow(c50, c51, c + 5 * ldc, RowOf(addend, 5, addendStride));
    }

    /// <summary><see cref="RunShort"/> over four rows of A in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunShortOnRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        Vector256<float> c00 = Vector256<float>.Zero; Vector256<float> c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero; Vector256<float> c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero; Vector256<float> c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero; Vector256<float> c31 = Vector256<float>.Zero;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;

        // The same k order as the packed kernel, one step at a time: row i's element p is at a_i[p].
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> x0 = Vector256.Create(a0[p]);
            c00 = MultiplyAdd(x0, b0, c00); c01 = MultiplyAdd(x0, b1, c01);
            Vector256<float> x1 = Vector256.Create(a1[p]);
            c10 = MultiplyAdd(x1, b0, c10); c11 = MultiplyAdd(x1, b1, c11);
            Vector256<float> x2 = Vector256.Create(a2[p]);
            c20 = MultiplyAdd(x2, b0, c20); c21 = MultiplyAdd(x2, b1, c21);
            Vector256<float> x3 = Vector256.Create(a3[p]);
            c30 = MultiplyAdd(x3, b0, c30); c31 = MultiplyAdd(x3, b1, c31);
            b += NR;
        }

        StoreRow(c00, c01, c, RowOf(addend, 0, addendStride));
        StoreRow(c10, c11, c + 1 * ldc, RowOf(addend, 1, addendStride));
        StoreRow(c20, c21, c + 2 * ldc, RowOf(addend, 2, addendStride));
        StoreRow(c30, c31, c + 3 * ldc, RowOf(addend, 3, addendStride));
    }
}
