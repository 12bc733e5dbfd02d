using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace SimdRnn.Kernels;

/// <summary>
/// The BLIS loop nest around a micro-kernel: column blocks of NC (B block in L3), k blocks of KC in order,
/// row blocks of MC (packed A block in L2), then NR-column and MR-row micro-panels (the B micro-panel stays
/// in L1 while the A micro-panels stream past it). Every element of C receives its k blocks in order, each
/// summed from zero in k order by the kernel and then added to C, so results do not depend on how a caller
/// splits m or n.
/// </summary>
internal static unsafe class GemmDriver<TKernel>
    where TKernel : struct, IGemmKernel
{
    /// <summary>c = (accumulate ? c : 0) + op(a)·op(b), packing B block by block into the workspace.</summary>
    public static void Multiply(int m, int n, int k, float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc, bool accumulate, GemmWorkspace workspace)
    {
        int maxKc = Math.Min(k, TKernel.KC);
        float* packedB = workspace.PackedB((nint)maxKc * RoundUp(Math.Min(n, TKernel.NC), TKernel.NR));
        float* packedA = workspace.PackedA((nint)maxKc * RoundUp(Math.Min(m, TKernel.MC), TKernel.MR));
        float* tile = workspace.Tile(TKernel.MR * TKernel.NR);
        for (int jc = 0; jc < n; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, n - jc);
            for (int pc = 0; pc < k; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, k - pc);
                nint panelStride = (nint)kc * TKernel.NR;
                GemmPacking.PackB(b, ldb, transB, pc, kc, jc, nc, TKernel.NR, packedB, panelStride);
                MacroKernel(m, nc, kc, pc, a, lda, transA, packedB, panelStride, c + jc, ldc, accumulate || pc > 0, bias: null, packedA, tile);
            }
        }
    }

    /// <summary>
    /// c1[m, n1] = (accumulate ? c1 : 0) + op(a)·b1 and c2[m, n2] likewise with b2, for one a: each k block of a is
    /// packed once for both (the weight gradients of a layer whose two projections share their gradient read that
    /// [T*n, G*H] matrix once, not twice). Every element gets the arithmetic of its own product, so the results are
    /// the bits of two calls of <see cref="Multiply(int, int, int, float*, nint, bool, float*, nint, bool, float*, nint, bool, GemmWorkspace)"/>.
    /// Both b are stored [k, n] (not transposed); n1 + n2 at most NC.
    /// </summary>
    public static void MultiplyPair(int m, int k, float* a, nint lda, bool transA, float* b1, nint ldb1, int n1, float* c1, nint ldc1,
        float* b2, nint ldb2, int n2, float* c2, nint ldc2, bool accumulate, GemmWorkspace workspace)
    {
        int maxKc = Math.Min(k, TKernel.KC);
        nint panels1 = RoundUp(n1, TKernel.NR), panels2 = RoundUp(n2, TKernel.NR);
        float* packedB = workspace.PackedB((nint)maxKc * (panels1 + panels2));
        float* packedA = workspace.PackedA((nint)maxKc * RoundUp(Math.Min(m, TKernel.MC), TKernel.MR));
        float* tile = workspace.Tile(TKernel.MR * TKernel.NR);
        for (int pc = 0; pc < k; pc += TKernel.KC)
        {
            int kc = Math.Min(TKernel.KC, k - pc);
            nint panelStride = (nint)kc * TKernel.NR;
            float* packedB2 = packedB + (nint)kc * panels1;
            GemmPacking.PackB(b1, ldb1, false, pc, kc, 0, n1, TKernel.NR, packedB, panelStride);
            GemmPacking.PackB(b2, ldb2, false, pc, kc, 0, n2, TKernel.NR, packedB2, panelStride);
            bool add = accumulate || pc > 0;
            for (int ic = 0; ic < m; ic += TKernel.MC)
            {
                int mc = Math.Min(TKernel.MC, m - ic);
                TKernel.PackA(a, lda, transA, ic, mc, pc, kc, packedA);
                Panels(mc, n1, kc, packedB, panelStride, c1 + ic * ldc1, ldc1, add, bias: null, packedA, tile, aRows: null, 0);
                Panels(mc, n2, kc, packedB2, panelStride, c2 + ic * ldc2, ldc2, add, bias: null, packedA, tile, aRows: null, 0);
            }
        }
    }

    /// <summary>
    /// c = (accumulate ? c : bias in every row, or 0 without one) + op(a)·b with b already in this kernel's panel layout.
    /// The bias is added where the kernel adds its first k block, so it gives the bits of the bias stored into c first
    /// and then accumulated into, without that pass over c.
    /// </summary>
    public static void Multiply(int m, float* a, nint lda, bool transA, PackedMatrix b, float* c, nint ldc, bool accumulate, float* bias, GemmWorkspace workspace)
    {
        if (m <= RowProductRows)
        {
            MultiplyByRows(m, a, lda, transA, b, c, ldc, accumulate, bias, workspace);
        }
        else
        {
            MultiplyByTiles(m, a, lda, transA, b, c, ldc, accumulate, bias, workspace);
        }
    }

    /// <summary>The packed product on the MR x NR micro-kernel, packing A block by block.</summary>
    internal static void MultiplyByTiles(int m, float* a, nint lda, bool transA, PackedMatrix b, float* c, nint ldc, bool accumulate, float* bias, GemmWorkspace workspace)
    {
        int k = b.K;
        int maxKc = Math.Min(k, TKernel.KC);
        float* packedA = workspace.PackedA((nint)maxKc * RoundUp(Math.Min(m, TKernel.MC), TKernel.MR));
        float* tile = workspace.Tile(TKernel.MR * TKernel.NR);
        float* data = b.Data;
        for (int pc = 0; pc < k; pc += TKernel.KC)
        {
            int kc = Math.Min(TKernel.KC, k - pc);
            MacroKernel(m, b.N, kc, pc, a, lda, transA, data + (nint)pc * TKernel.NR, b.PanelStride, c, ldc, accumulate || pc > 0, bias, packedA, tile);
        }
    }

    /// <summary>
    /// Rows up to which <see cref="MultiplyByRows"/> is faster than the MR-row micro-kernel: one row at a time, B streams
    /// past once per row, against one pass of MR rows' FMAs and the packing of A (measured with bench/SimdRnn.Bench
    /// <c>--rows</c>).
    /// </summary>
    internal const int RowProductRows = 3;

    /// <summary>
    /// The packed product one row at a time with the kernel's row product, in the micro-kernel's k blocks: for each
    /// row and block, the same sums from zero and the same single addition to C, so the same bits.
    /// </summary>
    internal static void MultiplyByRows(int m, float* a, nint lda, bool transA, PackedMatrix b, float* c, nint ldc, bool accumulate, float* bias, GemmWorkspace workspace)
    {
        int k = b.K, n = b.N, panels = n / TKernel.NR, edge = n - panels * TKernel.NR;
        nint panelStride = b.PanelStride, aStep = transA ? lda : 1, rowStep = transA ? 1 : lda;
        float* data = b.Data;
        float* tile = edge > 0 ? workspace.Tile(TKernel.MR * TKernel.NR) : null;
        for (int i = 0; i < m; i++)
        {
            float* row = a + i * rowStep, cRow = c + i * ldc;
            for (int pc = 0; pc < k; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, k - pc);
                float* addend = accumulate || pc > 0 ? cRow : bias;
                float* aBlock = row + pc * aStep, bBlock = data + (nint)pc * TKernel.NR;
                TKernel.RunRow(kc, aBlock, aStep, bBlock, panelStride, panels, cRow, addend);
                if (edge > 0)
                {
                    // The last panel's zero-padded columns go to the edge tile; only the valid ones reach C.
                    TKernel.RunRow(kc, aBlock, aStep, bBlock + panels * panelStride, panelStride, 1, tile, addend: null);
                    WriteEdge(tile, cRow + panels * TKernel.NR, ldc, 1, edge, addend == null ? null : addend + panels * TKernel.NR, 0);
                }
            }
        }
    }

    /// <summary>
    /// One k block: c[0..m, 0..n] = (add ? c : bias in every row, or 0 without one) + op(a)[0..m, pc..pc+kc] · the
    /// packed B block whose micro-panel q starts at <c>b + q * bPanelStride</c>.
    /// </summary>
    private static void MacroKernel(int m, int n, int kc, int pc, float* a, nint lda, bool transA, float* b, nint bPanelStride, float* c, nint ldc, bool add, float* bias, float* packedA, float* tile)
    {
        for (int ic = 0; ic < m; ic += TKernel.MC)
        {
            int mc = Math.Min(TKernel.MC, m - ic);
            if (!transA && TKernel.ReadsRowsOfA && lda <= TKernel.KC)
            {
                // The full and short micro-panels read A in place; only a last one of another height is packed, at
                // the start of the packed block. Only rows at most a k block apart: the dh products' A (rows 4H
                // floats apart, 4 KB at H = 256) stays packed, as six rows 4 KB apart would share L1 sets.
                int last = mc / TKernel.MR * TKernel.MR, rest = mc - last;
                if (rest != 0 && rest != TKernel.ShortMR) TKernel.PackA(a, lda, false, ic + last, rest, pc, kc, packedA);
                Panels(mc, n, kc, b, bPanelStride, c + ic * ldc, ldc, add, bias, packedA, tile, a + ic * lda + pc, lda);
            }
            else
            {
                TKernel.PackA(a, lda, transA, ic, mc, pc, kc, packedA);
                Panels(mc, n, kc, b, bPanelStride, c + ic * ldc, ldc, add, bias, packedA, tile, aRows: null, 0);
            }
        }
    }

    /// <summary>
    /// c[0..mc, 0..n] = (add ? c : bias in every row, or 0 without one) + the A block · the packed B block: B
    /// micro-panels outside, A micro-panels inside. A is packed, or with <paramref name="aRows"/> its rows in place (at
    /// <paramref name="lda"/>) except a last micro-panel of neither MR nor ShortMR rows, packed at the start of <paramref name="packedA"/>.
    /// </summary>
    private static void Panels(int mc, int n, int kc, float* b, nint bPanelStride, float* c, nint ldc, bool add, float* bias, float* packedA, float* tile,
        float* aRows, nint lda)
    {
        for (int jr = 0; jr < n; jr += TKernel.NR)
        {
            int nr = Math.Min(TKernel.NR, n - jr);
            float* bPanel = b + (jr / TKernel.NR) * bPanelStride;
            float* biasColumns = bias == null ? null : bias + jr;
            for (int ir = 0; ir < mc; ir += TKernel.MR)
            {
                int mr = Math.Min(TKernel.MR, mc - ir);
                bool whole = mr == TKernel.MR || mr == TKernel.ShortMR;
                float* inPlace = aRows != null && whole ? aRows + ir * lda : null;
                float* aPanel = aRows == null ? packedA + (nint)ir * kc : packedA;
                float* cTile = c + ir * ldc + jr;
                if (add && ir + TKernel.MR < mc) PrefetchTile(cTile + TKernel.MR * ldc, ldc, Math.Min(TKernel.MR, mc - ir - TKernel.MR), nr);
                float* addend = add ? cTile : biasColumns;
                nint addendStride = add ? ldc : 0;
                if (whole && nr == TKernel.NR)
                {
                    Tile(kc, mr, inPlace, lda, aPanel, bPanel, cTile, ldc, addend, addendStride);
                }
                else
                {
                    // Edge tile: the zero-padded panels give a full tile (or a short one, when it covers the rows);
                    // only its valid part reaches C, with the same single addition the full tiles use.
                    Tile(kc, mr, inPlace, lda, aPanel, bPanel, tile, TKernel.NR, addend: null, 0);
                    WriteEdge(tile, cTile, ldc, mr, nr, addend, addendStride);
                }
            }
        }
    }

    /// <summary>
    /// One kernel call: the full tile for more than ShortMR rows, else the short one; over the rows in place where
    /// <paramref name="aRows"/> is not null, else over the packed micro-panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(int kc, int mr, float* aRows, nint lda, float* aPanel, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        if (mr > TKernel.ShortMR)
        {
            if (aRows != null) TKernel.RunOnRows(kc, aRows, lda, b, c, ldc, addend, addendStride);
            else TKernel.Run(kc, aPanel, b, c, ldc, addend, addendStride);
        }
        else
        {
            if (aRows != null) TKernel.RunShortOnRows(kc, aRows, lda, b, c, ldc, addend, addendStride);
            else TKernel.RunShort(kc, aPanel, b, c, ldc, addend, addendStride);
        }
    }

    /// <summary>
    /// Asks for the C tile the strip's next kernel call adds into (<paramref name="rows"/> x <paramref name="columns"/>) to be
    /// brought into L1 while this call computes. A kernel reads its C tile only after all its FMAs, too late for
    /// out-of-order execution to hide a miss; the weight gradients' C, a chunk's gradient of a whole layer, has left L2 between
    /// one block of steps and the next, and without this their tiles ran 10-20% slower per FLOP than the forward
    /// products' in training (Zen 3, AVX2). A hint only: no result depends on it.
    /// </summary>
    private static void PrefetchTile(float* c, nint ldc, int rows, int columns)
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < rows; i++)
        {
            float* row = c + i * ldc;
            for (int j = 0; j < columns; j += FloatsPerLine) Sse.Prefetch0(row + j);
            Sse.Prefetch0(row + columns - 1);   // the row's last line, where the row does not start on a line
        }
    }

    private const int FloatsPerLine = 16;

    /// <summary>The valid part of an edge tile into C, after the addend (as the kernel takes it) where there is one.</summary>
    private static void WriteEdge(float* tile, float* c, nint ldc, int rows, int columns, float* addend, nint addendStride)
    {
        for (int i = 0; i < rows; i++)
        {
            float* source = tile + i * TKernel.NR;
            float* target = c + i * ldc;
            float* start = addend == null ? null : addend + i * addendStride;
            for (int j = 0; j < columns; j++)
            {
                target[j] = start != null ? start[j] + source[j] : source[j];
            }
        }
    }

    private static nint RoundUp(int value, int multiple) => (nint)((value + multiple - 1) / multiple) * multiple;
}
