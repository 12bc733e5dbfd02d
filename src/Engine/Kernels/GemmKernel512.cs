using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace SimdRnn.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: an 8 x 32 tile of C in 16 zmm accumulators (two vectors per row), leaving
/// 16 registers for the two B vectors and the A broadcasts. Each k step is 2 vector loads of B, 8 broadcasts
/// of A (folded into the FMAs as embedded broadcasts) and 16 FMAs.
/// </summary>
internal readonly unsafe partial struct GemmKernel512 : IGemmKernel
{
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    public static int MR => 8;

    public static int NR => 32;

    public static int KC => 256;

    public static int MC => 256;

    public static int NC => 2048;

    public static int ShortMR => MR;

    public static void RunShort(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride) => Run(kc, a, b, c, ldc, addend, addendStride);

    public static void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, float* destination) =>
        GemmPackingAvx.PackA(a, lda, transA, i0, rows, p0, kc, MR, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        Vector512<float> c00 = Vector512<float>.Zero; Vector512<float> c01 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero; Vector512<float> c11 = Vector512<float>.Zero;
        Vector512<float> c20 = Vector512<float>.Zero; Vector512<float> c21 = Vector512<float>.Zero;
        Vector512<float> c30 = Vector512<float>.Zero; Vector512<float> c31 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero; Vector512<float> c41 = Vector512<float>.Zero;
        Vector512<float> c50 = Vector512<float>.Zero; Vector512<float> c51 = Vector512<float>.Zero;
        Vector512<float> c60 = Vector512<float>.Zero; Vector512<float> c61 = Vector512<float>.Zero;
        Vector512<float> c70 = Vector512<float>.Zero; Vector512<float> c71 = Vector512<float>.Zero;

        // k unrolled by two; the accumulators stay in registers for the whole loop.
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            {
                Vector512<float> b0 = Vector512.Load(b + 0);
                Vector512<float> b1 = Vector512.Load(b + 16);
                Vector512<float> a0 = Vector512.Create(a[0]);
                c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
                Vector512<float> a1 = Vector512.Create(a[1]);
                c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
                Vector512<float> a2 = Vector512.Create(a[2]);
                c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
                Vector512<float> a3 = Vector512.Create(a[3]);
                c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
                Vector512<float> a4 = Vector512.Create(a[4]);
                c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
                Vector512<float> a5 = Vector512.Create(a[5]);
                c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
                Vector512<float> a6 = Vector512.Create(a[6]);
                c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
                Vector512<float> a7 = Vector512.Create(a[7]);
                c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 32);
                Vector512<float> b1 = Vector512.Load(b + 48);
                Vector512<float> a0 = Vector512.Create(a[8]);
                c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
                Vector512<float> a1 = Vector512.Create(a[9]);
                c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
                Vector512<float> a2 = Vector512.Create(a[10]);
                c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
                Vector512<float> a3 = Vector512.Create(a[11]);
                c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
                Vector512<float> a4 = Vector512.Create(a[12]);
                c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
                Vector512<float> a5 = Vector512.Create(a[13]);
                c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
                Vector512<float> a6 = Vector512.Create(a[14]);
                c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
                Vector512<float> a7 = Vector512.Create(a[15]);
                c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            }
            a += 16;
            b += 64;
        }

        if (p < kc)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
        }

        if (addend != null)
        {
            Vector512.Store(Vector512.Load(addend) + c00, c);
            Vector512.Store(Vector512.Load(addend + 16) + c01, c + 16);
            Vector512.Store(Vector512.Load(addend + 1 * addendStride) + c10, c + 1 * ldc);
            Vector512.Store(Vector512.Load(addend + 1 * addendStride + 16) + c11, c + 1 * ldc + 16);
            Vector512.Store(Vector512.Load(addend + 2 * addendStride) + c20, c + 2 * ldc);
            Vector512.Store(Vector512.Load(addend + 2 * addendStride + 16) + c21, c + 2 * ldc + 16);
            Vector512.Store(Vector512.Load(addend + 3 * addendStride) + c30, c + 3 * ldc);
            Vector512.Store(Vector512.Load(addend + 3 * addendStride + 16) + c31, c + 3 * ldc + 16);
            Vector512.Store(Vector512.Load(addend + 4 * addendStride) + c40, c + 4 * ldc);
            Vector512.Store(Vector512.Load(addend + 4 * addendStride + 16) + c41, c + 4 * ldc + 16);
            Vector512.Store(Vector512.Load(addend + 5 * addendStride) + c50, c + 5 * ldc);
            Vector512.Store(Vector512.Load(addend + 5 * addendStride + 16) + c51, c + 5 * ldc + 16);
            Vector512.Store(Vector512.Load(addend + 6 * addendStride) + c60, c + 6 * ldc);
            Vector512.Store(Vector512.Load(addend + 6 * addendStride + 16) + c61, c + 6 * ldc + 16);
            Vector512.Store(Vector512.Load(addend + 7 * addendStride) + c70, c + 7 * ldc);
            Vector512.Store(Vector512.Load(addend + 7 * addendStride + 16) + c71, c + 7 * ldc + 16);
        }
        else
        {
            Vector512.Store(c00, c);
            Vector512.Store(c01, c + 16);
            Vector512.Store(c10, c + 1 * ldc);
            Vector512.Store(c11, c + 1 * ldc + 16);
            Vector512.Store(c20, c + 2 * ldc);
            Vector512.Store(c21, c + 2 * ldc + 16);
            Vector512.Store(c30, c + 3 * ldc);
            Vector512.Store(c31, c + 3 * ldc + 16);
            Vector512.Store(c40, c + 4 * ldc);
            Vector512.Store(c41, c + 4 * ldc + 16);
            Vector512.Store(c50, c + 5 * ldc);
            Vector512.Store(c51, c + 5 * ldc + 16);
            Vector512.Store(c60, c + 6 * ldc);
            Vector512.Store(c61, c + 6 * ldc + 16);
            Vector512.Store(c70, c + 7 * ldc);
            Vector512.Store(c71, c + 7 * ldc + 16);
        }
    }
}
