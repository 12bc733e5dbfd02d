using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SimdRnn.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the micro-kernel's panel layout: an A micro-panel holds, for each
/// k, <c>mr</c> consecutive rows; a B micro-panel holds, for each k, <c>nr</c> consecutive columns. Rows or
/// columns past the edge of the matrix are written as zeros so the kernel never needs an edge case.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0..i0+rows, p0..p0+kc] into micro-panels of <paramref name="mr"/> rows, panel after
    /// panel (each <c>kc * mr</c> floats), zero-padding the last panel to a full <paramref name="mr"/>.
    /// </summary>
    public static void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, int mr, float* destination)
    {
        for (int ir = 0; ir < rows; ir += mr)
        {
            int valid = Math.Min(mr, rows - ir);
            float* panel = destination + (nint)ir * kc;
            if (transA)
            {
                // A is stored [k, m]: each k contributes a contiguous run of the panel's rows.
                float* source = a + (nint)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++)
                {
                    CopyRun(source + p * lda, panel + (nint)p * mr, valid, mr);
                }
            }
            else if ((mr == 8 || mr == 6) && valid == mr && Avx.IsSupported)
            {
                TransposeRows(a + (nint)(i0 + ir) * lda + p0, lda, kc, mr, panel);
            }
            else
            {
                // A is stored [m, k]: read each row along k, write it down the panel with stride mr.
                for (int r = 0; r < valid; r++)
                {
                    float* source = a + (nint)(i0 + ir + r) * lda + p0;
                    float* target = panel + r;
                    for (int p = 0; p < kc; p++)
                    {
                        target[(nint)p * mr] = source[p];
                    }
                }

                for (int r = valid; r < mr; r++)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        panel[(nint)p * mr + r] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, j0..j0+columns] into micro-panels of <paramref name="nr"/> columns, the panel
    /// for columns j0 + q*nr starting at <c>destination + q * panelStride</c>, zero-padding the last panel.
    /// </summary>
    public static void PackB(float* b, nint ldb, bool transB, int p0, int kc, int j0, int columns, int nr, float* destination, nint panelStride)
    {
        for (int jr = 0, q = 0; jr < columns; jr += nr, q++)
        {
            int valid = Math.Min(nr, columns - jr);
            float* panel = destination + q * panelStride;
            if (transB)
            {
                // B is stored [n, k]: read each column along k, write it down the panel with stride nr.
                for (int c = 0; c < valid; c++)
                {
                    float* source = b + (nint)(j0 + jr + c) * ldb + p0;
                    float* target = panel + c;
                    for (int p = 0; p < kc; p++)
                    {
                        target[(nint)p * nr] = source[p];
                    }
                }

                for (int c = valid; c < nr; c++)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        panel[(nint)p * nr + c] = 0f;
                    }
                }
            }
            else
            {
                // B is stored [k, n]: each k contributes a contiguous run of the panel's columns.
                float* source = b + (nint)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++)
                {
                    CopyRun(source + p * ldb, panel + (nint)p * nr, valid, nr);
                }
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

    /// <summary>Copies <paramref name="valid"/> floats and zero-fills the rest of a run of <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* source, float* destination, int valid, int width)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= valid; i += 8)
            {
                Vector256.Store(Vector256.Load(source + i), destination + i);
            }
        }

        for (; i < valid; i++)
        {
            destination[i] = source[i];
        }

        for (; i < width; i++)
        {
            destination[i] = 0f;
        }
    }
}
