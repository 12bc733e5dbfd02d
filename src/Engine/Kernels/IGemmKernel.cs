namespace SimdRnn.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel, the blocking it was tuned with and the packer that feeds it. The
/// driver (<see cref="GemmDriver{TKernel}"/>) is generic over this, so the JIT specialises one copy of the
/// loops per path with the tile sizes as constants. <see cref="Simd"/> lists one kernel per path.
/// </summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Whether this process accelerates the kernel's vectors (false: the path cannot be chosen).</summary>
    static abstract bool IsSupported { get; }

    /// <summary>Rows of the C tile, and of a packed A micro-panel.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the C tile, and of a packed B micro-panel.</summary>
    static abstract int NR { get; }

    /// <summary>
    /// Depth of a k block. Fixed per path and independent of the shape, so every element of C is summed in
    /// the same order however the caller splits m or n.
    /// </summary>
    static abstract int KC { get; }

    /// <summary>Rows of a packed A block (a multiple of <see cref="MR"/>), sized with KC to stay in L2.</summary>
    static abstract int MC { get; }

    /// <summary>Columns of a packed B block (a multiple of <see cref="NR"/>) in the unpacked overload.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// c[0..MR, 0..NR] = addend + a·b, where <paramref name="a"/> is an MR-row micro-panel (kc steps of MR values) and
    /// <paramref name="b"/> an NR-column micro-panel (kc steps of NR values). The addend's row i is at
    /// <c>addend + i * addendStride</c>: c itself (stride ldc) to accumulate, one bias row (stride 0) for every row, or
    /// null for zero. Each element is summed from zero and then added to its addend once, so a bias given here gives
    /// the bits of the bias stored into c and then accumulated into.
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride);

    /// <summary>
    /// Rows of the kernel's short tile, for the last micro-panel of a block whose rows are not a multiple of MR
    /// (a 64-row chunk on a 6-row kernel ends in 4 rows); MR where the kernel has no short variant.
    /// </summary>
    static abstract int ShortMR { get; }

    /// <summary>
    /// <see cref="Run"/> for the first <see cref="ShortMR"/> rows of an MR-row micro-panel only: fewer FMAs, and
    /// each of those rows gets exactly the arithmetic <see cref="Run"/> gives it, so the same bits.
    /// </summary>
    static abstract void RunShort(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride);

    /// <summary>
    /// Whether the kernel has <see cref="RunOnRows"/> and <see cref="RunShortOnRows"/>: its full and short tiles over
    /// rows of a non-transposed A left in place, so that the driver packs no A for them.
    /// </summary>
    static virtual bool ReadsRowsOfA => false;

    /// <summary>
    /// <see cref="Run"/> with A's MR rows read in place, row i at <c>a + i * lda</c> (element p at its p-th float):
    /// the same FMAs in the same order, so the same bits.
    /// </summary>
    static virtual void RunOnRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float* addend, nint addendStride) =>
        throw new NotSupportedException("This kernel reads A only packed.");

    /// <summary><see cref="RunShort"/> with A's <see cref="ShortMR"/> rows read in place, as <see cref="RunOnRows"/> reads them.</summary>
    static virtual void RunShortOnRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, float* addend, nint addendStride) =>
        throw new NotSupportedException("This kernel reads A only packed.");

    /// <summary>
    /// The row product: c[0..panels*NR] = (addend ?? 0) + a·b for one row of A (element p at <c>a + p * aStep</c>,
    /// unpacked) and <paramref name="panels"/> whole NR-column micro-panels of B, panel q at <c>b + q * panelStride</c>;
    /// bit-identical to <see cref="Run"/>'s row of C. Each path gives it its own vectors (<see cref="RowProduct{TKernel, TVector}"/>).
    /// </summary>
    static abstract void RunRow(int kc, float* a, nint aStep, float* b, nint panelStride, int panels, float* c, float* addend);

    /// <summary>
    /// Packs op(A)[i0..i0+rows, p0..p0+kc] into MR-row micro-panels, as <see cref="GemmPacking.PackA"/> does;
    /// a kernel may pack with instructions of its own path. B is packed by <see cref="GemmPacking.PackB"/>.
    /// </summary>
    static abstract void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, float* destination);
}

/// <summary>A GEMM kernel's tile (MR x NR) and cache blocking (KC, MC, NC), as numbers for sizing scratch.</summary>
internal readonly record struct GemmBlocking(int MR, int NR, int KC, int MC, int NC)
{
    /// <summary>
    /// Floats of <see cref="GemmWorkspace"/> scratch a product with B already packed needs for m rows and depth k:
    /// the packed A block (k up to KC, m up to MC, rounded up to whole micro-panels) plus one edge tile.
    /// </summary>
    public long PackedProductScratchFloats(int m, int k)
    {
        long rows = Math.Min(m, MC);
        return Math.Min(k, KC) * ((rows + MR - 1) / MR * MR) + MR * NR;
    }
}
