using System.Runtime.CompilerServices;

namespace SimdRnn.Kernels;

/// <summary>
/// One vector of a SIMD path as the row product (<see cref="RowProduct{TKernel, TVector}"/>) uses it. Its
/// <see cref="MultiplyAdd"/> rounds exactly as the path's micro-kernel rounds its own multiply-adds (fused on the
/// vector paths, a separate multiply and add on the scalar one), so the row product gives the micro-kernel's bits.
/// </summary>
internal unsafe interface IRowVector<TSelf> where TSelf : struct, IRowVector<TSelf>
{
    static abstract int Count { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf Broadcast(float value);

    static abstract TSelf Load(float* source);

    static abstract void Store(TSelf value, float* destination);

    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>
    /// a * b + addend with b loaded from <paramref name="b"/>, rounded as the path's GEMM micro-kernel rounds it. The
    /// load sits inside the multiply-add so that the JIT folds it into the instruction's memory operand.
    /// </summary>
    static abstract TSelf MultiplyAdd(TSelf a, float* b, TSelf addend);
}

/// <summary>
/// One row of A times a k block of packed B panels (a matrix-vector product), for products with too few rows to fill
/// the micro-kernel's MR-row tile: the kernel would spend MR rows of FMAs (and pack A) for one live row. Each output
/// column is summed exactly as the micro-kernel sums it, from zero over the block's k in order with the kernel's
/// multiply-add, then written or added to C once, so results are bit-identical to <see cref="GemmDriver{TKernel}"/>'s
/// micro-kernel path. Every output is one chain of kc dependent multiply-adds; the latency of each chain is hidden by
/// running the columns of several panels at once (sixteen chains on Vector512, twelve on Vector256), while B streams
/// through once.
/// </summary>
internal static unsafe class RowProduct<TKernel, TVector>
    where TKernel : struct, IGemmKernel
    where TVector : struct, IRowVector<TVector>
{
    /// <summary>Vectors across one NR-column panel.</summary>
    private static int PanelVectors => TKernel.NR / TVector.Count;

    /// <summary>
    /// c[0..panels*NR] = (addend ?? 0) + a[0..kc] · B, where a's element p is at <c>a + p * aStep</c> and B's panel q
    /// (kc steps of NR floats) at <c>b + q * panelStride</c>; <paramref name="addend"/> is a row laid out as c (c itself
    /// to accumulate, a bias row), or null. C must have room for every column of the panels.
    /// </summary>
    public static void Run(int kc, float* a, nint aStep, float* b, nint panelStride, int panels, float* c, float* addend)
    {
        // Many chains at once where panels are two vectors wide: sixteen zmm accumulators in AVX-512's 32 registers
        // (eight panels), twelve ymm ones in AVX2's 16 (six panels, leaving room for the broadcast and no spills);
        // else two panels (six to eight chains). The rest in pairs, then one: a single panel's few chains wait on the
        // FMA latency.
        int q = 0;
        if (PanelVectors <= 2 && TVector.Count == 16)
        {
            for (; q + 8 <= panels; q += 8)
            {
                Panels<Eight>(kc, a, aStep, b + q * panelStride, panelStride, c + q * TKernel.NR, Columns(addend, q * TKernel.NR));
            }
        }
        else if (PanelVectors <= 2)
        {
            for (; q + 6 <= panels; q += 6)
            {
                Panels<Six>(kc, a, aStep, b + q * panelStride, panelStride, c + q * TKernel.NR, Columns(addend, q * TKernel.NR));
            }
        }

        for (; q + 2 <= panels; q += 2)
        {
            Panels<Two>(kc, a, aStep, b + q * panelStride, panelStride, c + q * TKernel.NR, Columns(addend, q * TKernel.NR));
        }

        if (q < panels)
        {
            Panels<One>(kc, a, aStep, b + q * panelStride, panelStride, c + q * TKernel.NR, Columns(addend, q * TKernel.NR));
        }
    }

    /// <summary>
    /// <typeparamref name="TCount"/> panels side by side (1, 2, or 6 or 8 of two vectors). Accumulator sJV holds panel J's
    /// vector V. The count is a type so that the JIT specialises this per count: the tests on it and on the path's
    /// constants fold away, leaving only the live accumulators (at most 16).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panels<TCount>(int kc, float* a, nint aStep, float* b, nint panelStride, float* c, float* addend)
        where TCount : struct, IPanelCount
    {
        int count = TCount.Value, vectors = TKernel.NR / TVector.Count, width = TVector.Count, nr = TKernel.NR;

        // Panels past the second have accumulators for two vectors only; Run keeps to that (a constant test, folded away).
        if (count > 2 && vectors > 2) throw new InvalidOperationException($"{count} panels of {vectors} vectors: more than two panels need panels of at most two vectors.");
        bool p1 = count > 1, p2 = count > 2, p3 = count > 3, p4 = count > 4, p5 = count > 5, p6 = count > 6, p7 = count > 7;
        bool v1 = vectors > 1, v2 = vectors > 2, v3 = vectors > 3;
        TVector s00 = TVector.Zero, s01 = TVector.Zero, s02 = TVector.Zero, s03 = TVector.Zero;
        TVector s10 = TVector.Zero, s11 = TVector.Zero, s12 = TVector.Zero, s13 = TVector.Zero;
        TVector s20 = TVector.Zero, s21 = TVector.Zero;
        TVector s30 = TVector.Zero, s31 = TVector.Zero;
        TVector s40 = TVector.Zero, s41 = TVector.Zero;
        TVector s50 = TVector.Zero, s51 = TVector.Zero;
        TVector s60 = TVector.Zero, s61 = TVector.Zero;
        TVector s70 = TVector.Zero, s71 = TVector.Zero;
        float* b0 = b;
        float* b1 = p1 ? b + 1 * panelStride : b;
        float* b2 = p2 ? b + 2 * panelStride : b;
        float* b3 = p3 ? b + 3 * panelStride : b;
        float* b4 = p4 ? b + 4 * panelStride : b;
        float* b5 = p5 ? b + 5 * panelStride : b;
        float* b6 = p6 ? b + 6 * panelStride : b;
        float* b7 = p7 ? b + 7 * panelStride : b;
        for (int p = 0; p < kc; p++)
        {
            TVector x = TVector.Broadcast(*a);
            s00 = TVector.MultiplyAdd(x, b0, s00);
            if (v1) s01 = TVector.MultiplyAdd(x, b0 + width, s01);
            if (v2) s02 = TVector.MultiplyAdd(x, b0 + 2 * width, s02);
            if (v3) s03 = TVector.MultiplyAdd(x, b0 + 3 * width, s03);
            if (p1)
            {
                s10 = TVector.MultiplyAdd(x, b1, s10);
                if (v1) s11 = TVector.MultiplyAdd(x, b1 + width, s11);
                if (v2) s12 = TVector.MultiplyAdd(x, b1 + 2 * width, s12);
                if (v3) s13 = TVector.MultiplyAdd(x, b1 + 3 * width, s13);
            }

            if (p2)
            {
                s20 = TVector.MultiplyAdd(x, b2, s20);
                if (v1) s21 = TVector.MultiplyAdd(x, b2 + width, s21);
            }

            if (p3)
            {
                s30 = TVector.MultiplyAdd(x, b3, s30);
                if (v1) s31 = TVector.MultiplyAdd(x, b3 + width, s31);
            }

            if (p4)
            {
                s40 = TVector.MultiplyAdd(x, b4, s40);
                if (v1) s41 = TVector.MultiplyAdd(x, b4 + width, s41);
            }

            if (p5)
            {
                s50 = TVector.MultiplyAdd(x, b5, s50);
                if (v1) s51 = TVector.MultiplyAdd(x, b5 + width, s51);
            }

            if (p6)
            {
                s60 = TVector.MultiplyAdd(x, b6, s60);
                if (v1) s61 = TVector.MultiplyAdd(x, b6 + width, s61);
            }

            if (p7)
            {
                s70 = TVector.MultiplyAdd(x, b7, s70);
                if (v1) s71 = TVector.MultiplyAdd(x, b7 + width, s71);
            }

            a += aStep;
            b0 += nr;
            b1 += nr;
            b2 += nr;
            b3 += nr;
            b4 += nr;
            b5 += nr;
            b6 += nr;
            b7 += nr;
        }

        Put(s00, c, addend, 0);
        if (v1) Put(s01, c, addend, width);
        if (v2) Put(s02, c, addend, 2 * width);
        if (v3) Put(s03, c, addend, 3 * width);
        if (p1)
        {
            Put(s10, c, addend, nr);
            if (v1) Put(s11, c, addend, nr + width);
            if (v2) Put(s12, c, addend, nr + 2 * width);
            if (v3) Put(s13, c, addend, nr + 3 * width);
        }

        if (p2)
        {
            Put(s20, c, addend, 2 * nr);
            if (v1) Put(s21, c, addend, 2 * nr + width);
        }

        if (p3)
        {
            Put(s30, c, addend, 3 * nr);
            if (v1) Put(s31, c, addend, 3 * nr + width);
        }

        if (p4)
        {
            Put(s40, c, addend, 4 * nr);
            if (v1) Put(s41, c, addend, 4 * nr + width);
        }

        if (p5)
        {
            Put(s50, c, addend, 5 * nr);
            if (v1) Put(s51, c, addend, 5 * nr + width);
        }

        if (p6)
        {
            Put(s60, c, addend, 6 * nr);
            if (v1) Put(s61, c, addend, 6 * nr + width);
        }

        if (p7)
        {
            Put(s70, c, addend, 7 * nr);
            if (v1) Put(s71, c, addend, 7 * nr + width);
        }
    }

    /// <summary>The addend row from column <paramref name="offset"/> on, or null where there is none.</summary>
    private static float* Columns(float* addend, nint offset) => addend == null ? null : addend + offset;

    /// <summary>The block's sum into C at <paramref name="offset"/>, after the addend's element there: the one addition the micro-kernel makes too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(TVector sum, float* c, float* addend, nint offset) =>
        TVector.Store(addend != null ? TVector.Load(addend + offset) + sum : sum, c + offset);

    private interface IPanelCount
    {
        static abstract int Value { get; }
    }

    private readonly struct One : IPanelCount
    {
        public static int Value => 1;
    }

    private readonly struct Two : IPanelCount
    {
        public static int Value => 2;
    }

    private readonly struct Six : IPanelCount
    {
        public static int Value => 6;
    }

    private readonly struct Eight : IPanelCount
    {
        public static int Value => 8;
    }
}
