using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the micro-kernel's panel layout: an A micro-panel holds, for each
/// k, <c>mr</c> consecutive rows; a B micro-panel holds, for each k, <c>nr</c> consecutive columns. Rows or
/// columns past the edge of the matrix are written as zeros so the kernel never needs an edge case.
/// Portable: the Vector128 and scalar kernels pack with this alone (no x86 intrinsics), the AVX kernels
/// transpose their full A panels in registers (<see cref="GemmPackingAvx"/>).
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0..i0+rows, p0..p0+kc] into micro-panels of <paramref name="mr"/> rows, panel after
    /// panel (each <c>kc * mr</c> floats), zero-padding the last panel to a full <paramref name="mr"/>.
    /// </summary>
    public static void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, int mr, float* destination)
    {
        if (transA)
        {
            PackTransposedA(a, lda, i0, rows, p0, kc, mr, destination);
            return;
        }

        for (int ir = 0; ir < rows; ir += mr)
        {
            PackAPanel(a, lda, i0 + ir, Math.Min(mr, rows - ir), p0, kc, mr, destination + (nint)ir * kc);
        }
    }

    /// <summary>
    /// <see cref="PackA"/> for an A stored [k, m] (the weight gradients' projection gradients): eight of A's rows at a
    /// time, panel by panel, so those rows stay in L1 across the block's panels and each panel is written in stretches
    /// of eight k. Panel by panel over all kc, each panel read kc cache lines lda floats apart; for lda a multiple of
    /// 1 KB (G*H floats) they share a few L1 sets, and every panel read them again from L2.
    /// </summary>
    public static void PackTransposedA(float* a, nint lda, int i0, int rows, int p0, int kc, int mr, float* destination)
    {
        for (int pb = 0; pb < kc; pb += TransposedRowsPerPass)
        {
            int count = Math.Min(TransposedRowsPerPass, kc - pb);
            for (int ir = 0; ir < rows; ir += mr)
            {
                int valid = Math.Min(mr, rows - ir);
                float* source = a + (nint)(p0 + pb) * lda + i0 + ir;
                float* panel = destination + (nint)ir * kc + (nint)pb * mr;
                int p = 0;
                if (mr == 6 && ir + 8 <= rows && Vector256.IsHardwareAccelerated)
                {
                    // The AVX2 kernel's runs of six as one eight-float copy: the two extra floats are A's next columns,
                    // stored into the next k's slot of the panel, which is written after (in this pass or the next).
                    // The panel's last k is copied exactly: its next slot is the following panel's first.
                    int wide = Math.Min(count, kc - 1 - pb);
                    for (; p < wide; p++)
                    {
                        Vector256.Store(Vector256.Load(source + p * lda), panel + p * mr);
                    }
                }

                for (; p < count; p++)
                {
                    CopyRun(source + p * lda, panel + p * mr, valid, mr);
                }
            }
        }
    }

    /// <summary>Rows of A per pass of <see cref="PackTransposedA"/>: their lines at one column fit the ways of an L1 set (8 on Zen 4, 12 on Zen 5).</summary>
    private const int TransposedRowsPerPass = 8;

    /// <summary>One A micro-panel of an A stored [m, k]: A[i0..i0+valid, p0..p0+kc], rows past <paramref name="valid"/> as zeros.</summary>
    public static void PackAPanel(float* a, nint lda, int i0, int valid, int p0, int kc, int mr, float* panel)
    {
        // A is stored [m, k]: read each row along k, write it down the panel with stride mr.
        for (int r = 0; r < valid; r++)
        {
            float* source = a + (nint)(i0 + r) * lda + p0;
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

        // Then four at a time: the AVX2 kernel's A panels are runs of 6 (one 4, then two singles, not six singles).
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= valid; i += 4)
            {
                Vector128.Store(Vector128.Load(source + i), destination + i);
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
