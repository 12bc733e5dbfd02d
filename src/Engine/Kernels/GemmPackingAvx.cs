using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SimdRnn.Kernels;

/// <summary>
/// The A packer of the AVX kernels (<see cref="GemmKernel512"/>: 8 rows, <see cref="GemmKernel256"/>: 6 rows):
/// full panels of a non-transposed A are transposed in registers; everything else (a transposed A, edge panels) is
/// packed as <see cref="GemmPacking"/> does.
/// </summary>
internal static unsafe class GemmPackingAvx
{
    public static void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, int mr, float* destination)
    {
        if (transA)
        {
            GemmPacking.PackTransposedA(a, lda, i0, rows, p0, kc, mr, destination);
            return;
        }

        for (int ir = 0; ir < rows; ir += mr)
        {
            int valid = Math.Min(mr, rows - ir);
            float* panel = destination + (nint)ir * kc;
            if (valid == mr && (mr == 8 || mr == 6) && Avx.IsSupported)
            {
                TransposeRows(a + (nint)(i0 + ir) * lda + p0, lda, kc, mr, panel);
            }
            else
            {
                GemmPacking.PackAPanel(a, lda, i0 + ir, valid, p0, kc, mr, panel);
            }
        }
    }

    /// <summary>
    /// Packs eight (AVX-512 kernel) or six (AVX2 kernel) full rows of a non-transposed A: 8 x 8 blocks
    /// transposed in registers (the classic unpack / shuffle / lane-permute sequence; six rows pad with
    /// zeros), so the panel is written with whole-vector stores, six-float ones for six rows.
    /// </summary>
    private static void TransposeRows(float* source, nint lda, int kc, int rows, float* panel)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* s = source + p;
            Vector256<float> r0 = Avx.LoadVector256(s);
            Vector256<float> r1 = Avx.LoadVector256(s + lda);
            Vector256<float> r2 = Avx.LoadVector256(s + 2 * lda);
            Vector256<float> r3 = Avx.LoadVector256(s + 3 * lda);
            Vector256<float> r4 = Avx.LoadVector256(s + 4 * lda);
            Vector256<float> r5 = Avx.LoadVector256(s + 5 * lda);
            Vector256<float> r6 = rows == 8 ? Avx.LoadVector256(s + 6 * lda) : Vector256<float>.Zero;
            Vector256<float> r7 = rows == 8 ? Avx.LoadVector256(s + 7 * lda) : Vector256<float>.Zero;

            Vector256<float> t0 = Avx.UnpackLow(r0, r1);
            Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3);
            Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5);
            Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7);
            Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
            Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
            Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
            Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
            Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);

            float* d = panel + (nint)p * rows;
            StoreRows(d, rows, Avx.Permute2x128(u0, u4, 0x20));
            StoreRows(d + rows, rows, Avx.Permute2x128(u1, u5, 0x20));
            StoreRows(d + 2 * rows, rows, Avx.Permute2x128(u2, u6, 0x20));
            StoreRows(d + 3 * rows, rows, Avx.Permute2x128(u3, u7, 0x20));
            StoreRows(d + 4 * rows, rows, Avx.Permute2x128(u0, u4, 0x31));
            StoreRows(d + 5 * rows, rows, Avx.Permute2x128(u1, u5, 0x31));
            StoreRows(d + 6 * rows, rows, Avx.Permute2x128(u2, u6, 0x31));
            StoreRows(d + 7 * rows, rows, Avx.Permute2x128(u3, u7, 0x31));
        }

        for (; p < kc; p++)
        {
            for (int r = 0; r < rows; r++)
            {
                panel[(nint)p * rows + r] = source[r * lda + p];
            }
        }
    }

    // One k of a panel: all eight rows, or the first six as four plus two floats (nothing past the panel).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows(float* destination, int rows, Vector256<float> column)
    {
        if (rows == 8)
        {
            Avx.Store(destination, column);
        }
        else
        {
            Sse.Store(destination, column.GetLower());
            Sse.StoreLow(destination + 4, column.GetUpper());
        }
    }
}
