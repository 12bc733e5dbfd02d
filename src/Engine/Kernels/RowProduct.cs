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

    /// <summary>a * b + addend, rounded as the path's GEMM micro-kernel rounds it.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf addend);
}

/// <summary>
/// One row of A times a k block of packed B panels (a matrix-vector product), for products with too few rows to fill
/// the micro-kernel's MR-row tile: the kernel would spend MR rows of FMAs (and pack A) for one live row. Each output
/// column is summed exactly as the micro-kernel sums it, from zero over the block's k in order with the kernel's
/// multiply-add, then written or added to C once, so results are bit-identical to <see cref="GemmDriver{TKernel}"/>'s
/// micro-kernel path. Every output is one chain of kc dependent multiply-adds; the latency of each chain is hidden by
/// running the columns of several panels at once (about eight chains), while B streams through once.
/// </summary>
internal static unsafe class RowProduct<TKernel, TVector>
    where TKernel : struct, IGemmKernel
    where TVector : struct, IRowVector<TVector>
{
    /// <summary>Vectors across one NR-column panel.</summary>
    private static int PanelVectors => TKernel.NR / TVector.Count;

    /// <summary>Panels whose columns accumulate together: about eight independent chains, at most four panels.</summary>
    private static int GroupPanels => PanelVectors <= 2 ? 4 : 2;

    /// <summary>
    /// c[0..panels*NR] = (add ? c : 0) + a[0..kc] · B, where a's element p is at <c>a + p * aStep</c> and B's panel q
    /// (kc steps of NR floats) at <c>b + q * panelStride</c>. C must have room for every column of the panels.
    /// </summary>
    public static void Run(int kc, float* a, nint aStep, float* b, nint panelStride, int panels, float* c, bool add)
    {
        int q = 0;
        for (; q + GroupPanels <= panels; q += GroupPanels)
        {
            PanelGroup(kc, a, aStep, b + q * panelStride, panelStride, c + q * TKernel.NR, add);
        }

        for (; q < panels; q++)
        {
            OnePanel(kc, a, aStep, b + q * panelStride, c + q * TKernel.NR, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelGroup(int kc, float* a, nint aStep, float* b, nint panelStride, float* c, bool add) =>
        Panels(GroupPanels, kc, a, aStep, b, panelStride, c, add);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OnePanel(int kc, float* a, nint aStep, float* b, float* c, bool add) =>
        Panels(1, kc, a, aStep, b, 0, c, add);

    /// <summary>
    /// <paramref name="count"/> panels (1 or <see cref="GroupPanels"/>) side by side. Accumulator sJV holds panel J's
    /// vector V. Inlined with a constant count, the tests on it and on the path's constants fold away, leaving only the
    /// live accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Panels(int count, int kc, float* a, nint aStep, float* b, nint panelStride, float* c, bool add)
    {
        int vectors = PanelVectors, width = TVector.Count, nr = TKernel.NR;
        bool p1 = count > 1, p2 = count > 2, p3 = count > 3, v1 = vectors > 1, v2 = vectors > 2, v3 = vectors > 3;
        TVector s00 = TVector.Zero, s01 = TVector.Zero, s02 = TVector.Zero, s03 = TVector.Zero;
        TVector s10 = TVector.Zero, s11 = TVector.Zero, s12 = TVector.Zero, s13 = TVector.Zero;
        TVector s20 = TVector.Zero, s21 = TVector.Zero, s22 = TVector.Zero, s23 = TVector.Zero;
        TVector s30 = TVector.Zero, s31 = TVector.Zero, s32 = TVector.Zero, s33 = TVector.Zero;
        float* b0 = b, b1 = b + panelStride, b2 = b + 2 * panelStride, b3 = b + 3 * panelStride;
        for (int p = 0; p < kc; p++)
        {
            TVector x = TVector.Broadcast(*a);
            s00 = TVector.MultiplyAdd(x, TVector.Load(b0), s00);
            if (v1) s01 = TVector.MultiplyAdd(x, TVector.Load(b0 + width), s01);
            if (v2) s02 = TVector.MultiplyAdd(x, TVector.Load(b0 + 2 * width), s02);
            if (v3) s03 = TVector.MultiplyAdd(x, TVector.Load(b0 + 3 * width), s03);
            if (p1)
            {
                s10 = TVector.MultiplyAdd(x, TVector.Load(b1), s10);
                if (v1) s11 = TVector.MultiplyAdd(x, TVector.Load(b1 + width), s11);
                if (v2) s12 = TVector.MultiplyAdd(x, TVector.Load(b1 + 2 * width), s12);
                if (v3) s13 = TVector.MultiplyAdd(x, TVector.Load(b1 + 3 * width), s13);
            }

            if (p2)
            {
                s20 = TVector.MultiplyAdd(x, TVector.Load(b2), s20);
                if (v1) s21 = TVector.MultiplyAdd(x, TVector.Load(b2 + width), s21);
                if (v2) s22 = TVector.MultiplyAdd(x, TVector.Load(b2 + 2 * width), s22);
                if (v3) s23 = TVector.MultiplyAdd(x, TVector.Load(b2 + 3 * width), s23);
            }

            if (p3)
            {
                s30 = TVector.MultiplyAdd(x, TVector.Load(b3), s30);
                if (v1) s31 = TVector.MultiplyAdd(x, TVector.Load(b3 + width), s31);
                if (v2) s32 = TVector.MultiplyAdd(x, TVector.Load(b3 + 2 * width), s32);
                if (v3) s33 = TVector.MultiplyAdd(x, TVector.Load(b3 + 3 * width), s33);
            }

            a += aStep;
            b0 += nr;
            b1 += nr;
            b2 += nr;
            b3 += nr;
        }

        Put(s00, c, add);
        if (v1) Put(s01, c + width, add);
        if (v2) Put(s02, c + 2 * width, add);
        if (v3) Put(s03, c + 3 * width, add);
        if (p1)
        {
            Put(s10, c + nr, add);
            if (v1) Put(s11, c + nr + width, add);
            if (v2) Put(s12, c + nr + 2 * width, add);
            if (v3) Put(s13, c + nr + 3 * width, add);
        }

        if (p2)
        {
            Put(s20, c + 2 * nr, add);
            if (v1) Put(s21, c + 2 * nr + width, add);
            if (v2) Put(s22, c + 2 * nr + 2 * width, add);
            if (v3) Put(s23, c + 2 * nr + 3 * width, add);
        }

        if (p3)
        {
            Put(s30, c + 3 * nr, add);
            if (v1) Put(s31, c + 3 * nr + width, add);
            if (v2) Put(s32, c + 3 * nr + 2 * width, add);
            if (v3) Put(s33, c + 3 * nr + 3 * width, add);
        }
    }

    /// <summary>The block's sum into C: the one addition the micro-kernel makes too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(TVector sum, float* c, bool add) => TVector.Store(add ? TVector.Load(c) + sum : sum, c);
}
