using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace SimdRnn.Kernels;

/// <summary>
/// The 128-bit micro-kernel, sized for the 32 registers of ARM64's NEON (the BLIS armv8a shape): an 8 x 12
/// tile of C in 24 accumulators, three B vectors and two A vectors, 29 registers in all. Each k step is 5
/// vector loads and 24 FMAs; on ARM64 each FMA multiplies by one lane of an A register (FMLA by element), so A
/// is loaded four rows at a time. Elsewhere (x86: SSE/AVX-128, where forcing this path runs its tests) A is
/// broadcast from memory instead; both forms round once per FMA, so both give the same bits.
/// Blocking: KC 256 keeps the B micro-panel (12 KB) and an A micro-panel (8 KB) in a 32 KB L1; MC 128 the
/// packed A block (128 KB) in L2; NC 768 the B block (768 KB) in a shared L2 or L3. Not tuned on hardware.
/// </summary>
internal readonly unsafe partial struct GemmKernel128 : IGemmKernel
{
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    public static int MR => 8;

    public static int NR => 12;

    public static int KC => 256;

    public static int MC => 128;

    public static int NC => 768;

    public static int ShortMR => MR;

    public static void RunShort(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride) => Run(kc, a, b, c, ldc, addend, addendStride);

    public static void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, float* destination) =>
        GemmPacking.PackA(a, lda, transA, i0, rows, p0, kc, MR, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        Vector128<float> c00 = Vector128<float>.Zero; Vector128<float> c01 = Vector128<float>.Zero; Vector128<float> c02 = Vector128<float>.Zero;
        Vector128<float> c10 = Vector128<float>.Zero; Vector128<float> c11 = Vector128<float>.Zero; Vector128<float> c12 = Vector128<float>.Zero;
        Vector128<float> c20 = Vector128<float>.Zero; Vector128<float> c21 = Vector128<float>.Zero; Vector128<float> c22 = Vector128<float>.Zero;
        Vector128<float> c30 = Vector128<float>.Zero; Vector128<float> c31 = Vector128<float>.Zero; Vector128<float> c32 = Vector128<float>.Zero;
        Vector128<float> c40 = Vector128<float>.Zero; Vector128<float> c41 = Vector128<float>.Zero; Vector128<float> c42 = Vector128<float>.Zero;
        Vector128<float> c50 = Vector128<float>.Zero; Vector128<float> c51 = Vector128<float>.Zero; Vector128<float> c52 = Vector128<float>.Zero;
        Vector128<float> c60 = Vector128<float>.Zero; Vector128<float> c61 = Vector128<float>.Zero; Vector128<float> c62 = Vector128<float>.Zero;
        Vector128<float> c70 = Vector128<float>.Zero; Vector128<float> c71 = Vector128<float>.Zero; Vector128<float> c72 = Vector128<float>.Zero;

        // k unrolled by two; the accumulators stay in registers for the whole loop.
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            {
                Vector128<float> b0 = Vector128.Load(b + 0);
                Vector128<float> b1 = Vector128.Load(b + 4);
                Vector128<float> b2 = Vector128.Load(b + 8);
                Vector128<float> aLow = LoadQuad(a + 0);
                Vector128<float> aHigh = LoadQuad(a + 4);
                c00 = MultiplyAdd(c00, b0, aLow, 0, a + 0); c01 = MultiplyAdd(c01, b1, aLow, 0, a + 0); c02 = MultiplyAdd(c02, b2, aLow, 0, a + 0);
                c10 = MultiplyAdd(c10, b0, aLow, 1, a + 1); c11 = MultiplyAdd(c11, b1, aLow, 1, a + 1); c12 = MultiplyAdd(c12, b2, aLow, 1, a + 1);
                c20 = MultiplyAdd(c20, b0, aLow, 2, a + 2); c21 = MultiplyAdd(c21, b1, aLow, 2, a + 2); c22 = MultiplyAdd(c22, b2, aLow, 2, a + 2);
                c30 = MultiplyAdd(c30, b0, aLow, 3, a + 3); c31 = MultiplyAdd(c31, b1, aLow, 3, a + 3); c32 = MultiplyAdd(c32, b2, aLow, 3, a + 3);
                c40 = MultiplyAdd(c40, b0, aHigh, 0, a + 4); c41 = MultiplyAdd(c41, b1, aHigh, 0, a + 4); c42 = MultiplyAdd(c42, b2, aHigh, 0, a + 4);
                c50 = MultiplyAdd(c50, b0, aHigh, 1, a + 5); c51 = MultiplyAdd(c51, b1, aHigh, 1, a + 5); c52 = MultiplyAdd(c52, b2, aHigh, 1, a + 5);
                c60 = MultiplyAdd(c60, b0, aHigh, 2, a + 6); c61 = MultiplyAdd(c61, b1, aHigh, 2, a + 6); c62 = MultiplyAdd(c62, b2, aHigh, 2, a + 6);
                c70 = MultiplyAdd(c70, b0, aHigh, 3, a + 7); c71 = MultiplyAdd(c71, b1, aHigh, 3, a + 7); c72 = MultiplyAdd(c72, b2, aHigh, 3, a + 7);
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 12);
                Vector128<float> b1 = Vector128.Load(b + 16);
                Vector128<float> b2 = Vector128.Load(b + 20);
                Vector128<float> aLow = LoadQuad(a + 8);
                Vector128<float> aHigh = LoadQuad(a + 12);
                c00 = MultiplyAdd(c00, b0, aLow, 0, a + 8); c01 = MultiplyAdd(c01, b1, aLow, 0, a + 8); c02 = MultiplyAdd(c02, b2, aLow, 0, a + 8);
                c10 = MultiplyAdd(c10, b0, aLow, 1, a + 9); c11 = MultiplyAdd(c11, b1, aLow, 1, a + 9); c12 = MultiplyAdd(c12, b2, aLow, 1, a + 9);
                c20 = MultiplyAdd(c20, b0, aLow, 2, a + 10); c21 = MultiplyAdd(c21, b1, aLow, 2, a + 10); c22 = MultiplyAdd(c22, b2, aLow, 2, a + 10);
                c30 = MultiplyAdd(c30, b0, aLow, 3, a + 11); c31 = MultiplyAdd(c31, b1, aLow, 3, a + 11); c32 = MultiplyAdd(c32, b2, aLow, 3, a + 11);
                c40 = MultiplyAdd(c40, b0, aHigh, 0, a + 12); c41 = MultiplyAdd(c41, b1, aHigh, 0, a + 12); c42 = MultiplyAdd(c42, b2, aHigh, 0, a + 12);
                c50 = MultiplyAdd(c50, b0, aHigh, 1, a + 13); c51 = MultiplyAdd(c51, b1, aHigh, 1, a + 13); c52 = MultiplyAdd(c52, b2, aHigh, 1, a + 13);
                c60 = MultiplyAdd(c60, b0, aHigh, 2, a + 14); c61 = MultiplyAdd(c61, b1, aHigh, 2, a + 14); c62 = MultiplyAdd(c62, b2, aHigh, 2, a + 14);
                c70 = MultiplyAdd(c70, b0, aHigh, 3, a + 15); c71 = MultiplyAdd(c71, b1, aHigh, 3, a + 15); c72 = MultiplyAdd(c72, b2, aHigh, 3, a + 15);
            }
            a += 16;
            b += 24;
        }

        if (p < kc)
        {
            Vector128<float> b0 = Vector128.Load(b + 0);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> b2 = Vector128.Load(b + 8);
            Vector128<float> aLow = LoadQuad(a + 0);
            Vector128<float> aHigh = LoadQuad(a + 4);
            c00 = MultiplyAdd(c00, b0, aLow, 0, a + 0); c01 = MultiplyAdd(c01, b1, aLow, 0, a + 0); c02 = MultiplyAdd(c02, b2, aLow, 0, a + 0);
            c10 = MultiplyAdd(c10, b0, aLow, 1, a + 1); c11 = MultiplyAdd(c11, b1, aLow, 1, a + 1); c12 = MultiplyAdd(c12, b2, aLow, 1, a + 1);
            c20 = MultiplyAdd(c20, b0, aLow, 2, a + 2); c21 = MultiplyAdd(c21, b1, aLow, 2, a + 2); c22 = MultiplyAdd(c22, b2, aLow, 2, a + 2);
            c30 = MultiplyAdd(c30, b0, aLow, 3, a + 3); c31 = MultiplyAdd(c31, b1, aLow, 3, a + 3); c32 = MultiplyAdd(c32, b2, aLow, 3, a + 3);
            c40 = MultiplyAdd(c40, b0, aHigh, 0, a + 4); c41 = MultiplyAdd(c41, b1, aHigh, 0, a + 4); c42 = MultiplyAdd(c42, b2, aHigh, 0, a + 4);
            c50 = MultiplyAdd(c50, b0, aHigh, 1, a + 5); c51 = MultiplyAdd(c51, b1, aHigh, 1, a + 5); c52 = MultiplyAdd(c52, b2, aHigh, 1, a + 5);
            c60 = MultiplyAdd(c60, b0, aHigh, 2, a + 6); c61 = MultiplyAdd(c61, b1, aHigh, 2, a + 6); c62 = MultiplyAdd(c62, b2, aHigh, 2, a + 6);
            c70 = MultiplyAdd(c70, b0, aHigh, 3, a + 7); c71 = MultiplyAdd(c71, b1, aHigh, 3, a + 7); c72 = MultiplyAdd(c72, b2, aHigh, 3, a + 7);
        }

        if (addend != null)
        {
            Vector128.Store(Vector128.Load(addend) + c00, c);
            Vector128.Store(Vector128.Load(addend + 4) + c01, c + 4);
            Vector128.Store(Vector128.Load(addend + 8) + c02, c + 8);
            Vector128.Store(Vector128.Load(addend + 1 * addendStride) + c10, c + 1 * ldc);
            Vector128.Store(Vector128.Load(addend + 1 * addendStride + 4) + c11, c + 1 * ldc + 4);
            Vector128.Store(Vector128.Load(addend + 1 * addendStride + 8) + c12, c + 1 * ldc + 8);
            Vector128.Store(Vector128.Load(addend + 2 * addendStride) + c20, c + 2 * ldc);
            Vector128.Store(Vector128.Load(addend + 2 * addendStride + 4) + c21, c + 2 * ldc + 4);
            Vector128.Store(Vector128.Load(addend + 2 * addendStride + 8) + c22, c + 2 * ldc + 8);
            Vector128.Store(Vector128.Load(addend + 3 * addendStride) + c30, c + 3 * ldc);
            Vector128.Store(Vector128.Load(addend + 3 * addendStride + 4) + c31, c + 3 * ldc + 4);
            Vector128.Store(Vector128.Load(addend + 3 * addendStride + 8) + c32, c + 3 * ldc + 8);
            Vector128.Store(Vector128.Load(addend + 4 * addendStride) + c40, c + 4 * ldc);
            Vector128.Store(Vector128.Load(addend + 4 * addendStride + 4) + c41, c + 4 * ldc + 4);
            Vector128.Store(Vector128.Load(addend + 4 * addendStride + 8) + c42, c + 4 * ldc + 8);
            Vector128.Store(Vector128.Load(addend + 5 * addendStride) + c50, c + 5 * ldc);
            Vector128.Store(Vector128.Load(addend + 5 * addendStride + 4) + c51, c + 5 * ldc + 4);
            Vector128.Store(Vector128.Load(addend + 5 * addendStride + 8) + c52, c + 5 * ldc + 8);
            Vector128.Store(Vector128.Load(addend + 6 * addendStride) + c60, c + 6 * ldc);
            Vector128.Store(Vector128.Load(addend + 6 * addendStride + 4) + c61, c + 6 * ldc + 4);
            Vector128.Store(Vector128.Load(addend + 6 * addendStride + 8) + c62, c + 6 * ldc + 8);
            Vector128.Store(Vector128.Load(addend + 7 * addendStride) + c70, c + 7 * ldc);
            Vector128.Store(Vector128.Load(addend + 7 * addendStride + 4) + c71, c + 7 * ldc + 4);
            Vector128.Store(Vector128.Load(addend + 7 * addendStride + 8) + c72, c + 7 * ldc + 8);
        }
        else
        {
            Vector128.Store(c00, c);
            Vector128.Store(c01, c + 4);
            Vector128.Store(c02, c + 8);
            Vector128.Store(c10, c + 1 * ldc);
            Vector128.Store(c11, c + 1 * ldc + 4);
            Vector128.Store(c12, c + 1 * ldc + 8);
            Vector128.Store(c20, c + 2 * ldc);
            Vector128.Store(c21, c + 2 * ldc + 4);
            Vector128.Store(c22, c + 2 * ldc + 8);
            Vector128.Store(c30, c + 3 * ldc);
            Vector128.Store(c31, c + 3 * ldc + 4);
            Vector128.Store(c32, c + 3 * ldc + 8);
            Vector128.Store(c40, c + 4 * ldc);
            Vector128.Store(c41, c + 4 * ldc + 4);
            Vector128.Store(c42, c + 4 * ldc + 8);
            Vector128.Store(c50, c + 5 * ldc);
            Vector128.Store(c51, c + 5 * ldc + 4);
            Vector128.Store(c52, c + 5 * ldc + 8);
            Vector128.Store(c60, c + 6 * ldc);
            Vector128.Store(c61, c + 6 * ldc + 4);
            Vector128.Store(c62, c + 6 * ldc + 8);
            Vector128.Store(c70, c + 7 * ldc);
            Vector128.Store(c71, c + 7 * ldc + 4);
            Vector128.Store(c72, c + 7 * ldc + 8);
        }
    }

    /// <summary>Four rows of an A micro-panel at one k, for the by-lane FMAs; nothing where A is broadcast from memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> LoadQuad(float* a) => AdvSimd.Arm64.IsSupported ? Vector128.Load(a) : default;

    /// <summary>c + b * a[row], where <paramref name="quad"/> holds a[row] in <paramref name="lane"/> and <paramref name="row"/> points at it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MultiplyAdd(Vector128<float> c, Vector128<float> b, Vector128<float> quad, [ConstantExpected(Max = 3)] byte lane, float* row) =>
        AdvSimd.Arm64.IsSupported
            ? AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c, b, quad, lane)
            : Vector128.FusedMultiplyAdd(b, Vector128.Create(*row), c);
}
