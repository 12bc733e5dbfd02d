namespace SimdRnn.Kernels;

/// <summary>
/// Single-precision matrix product, BLIS style: operands packed into panels, a register-blocked
/// micro-kernel per SIMD path, taken from the registry (<see cref="Simd"/>) at run time.
/// <c>c[m, n] = (accumulate ? c : 0) + op(a)[m, k] · op(b)[k, n]</c>, all row-major with leading
/// dimensions. op(a) is a itself (lda &gt;= k) or, with transA, the transpose of a stored [k, m]
/// (lda &gt;= m); likewise op(b) is b (ldb &gt;= n) or, with transB, b stored [n, k] (ldb &gt;= k).
/// When accumulate is false, c is never read. Single-threaded; results are bit-identical however a caller
/// splits m or n across calls. No managed allocation.
/// </summary>
public static unsafe class Gemm
{
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, bool transA, ReadOnlySpan<float> b, int ldb, bool transB, Span<float> c, int ldc, bool accumulate, GemmWorkspace workspace) =>
        Multiply(Simd.Path, m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, workspace);

    /// <summary>The same with op(b) already packed; runs on the path <paramref name="b"/> was created for.</summary>
    public static void Multiply(int m, ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, Span<float> c, int ldc, bool accumulate, GemmWorkspace workspace) =>
        Multiply(m, a, lda, transA, b, bias: default, c, ldc, accumulate, workspace);

    /// <summary>
    /// <c>c[i, :] = bias + op(a)[i, :] · op(b)</c> for every row i, with op(b) already packed: the bits of the bias
    /// stored into each row of c and then accumulated into, without that pass over c (the kernel adds the bias where
    /// it would have added c).
    /// </summary>
    public static void MultiplyAddBias(int m, ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, ReadOnlySpan<float> bias, Span<float> c, int ldc, GemmWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (bias.Length != b.N) throw new ArgumentException($"The bias has {bias.Length} elements; the product has {b.N} columns.", nameof(bias));
        Multiply(m, a, lda, transA, b, bias, c, ldc, accumulate: false, workspace);
    }

    // c = (accumulate ? c : bias in every row, or 0 where the bias is empty) + op(a)·op(b).
    private static void Multiply(int m, ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, ReadOnlySpan<float> bias, Span<float> c, int ldc, bool accumulate, GemmWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(workspace);
        int n = b.N;
        int k = b.K;
        CheckShapes(m, n, k, a, lda, transA, c, ldc);
        if (Trivial(m, n, k, c, ldc, accumulate, bias))
        {
            return;
        }

        fixed (float* pa = a)
        fixed (float* pc = c)
        fixed (float* pBias = bias)
        {
            var product = new PackedProduct(m, pa, lda, transA, b, pc, ldc, accumulate, pBias, workspace);
            Simd.Visit<PackedProduct, bool>(b.Path, ref product);
        }
    }

    /// <summary>The unpacked product on a chosen path, so tests can run every kernel on one machine.</summary>
    internal static void Multiply(SimdPath path, int m, int n, int k, ReadOnlySpan<float> a, int lda, bool transA, ReadOnlySpan<float> b, int ldb, bool transB, Span<float> c, int ldc, bool accumulate, GemmWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ThrowIfUnsupported(path);
        CheckShapes(m, n, k, a, lda, transA, c, ldc);
        if (transB)
        {
            CheckOperand(b, n, k, ldb, nameof(b));
        }
        else
        {
            CheckOperand(b, k, n, ldb, nameof(b));
        }

        if (Trivial(m, n, k, c, ldc, accumulate))
        {
            return;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var product = new UnpackedProduct(m, n, k, pa, lda, transA, pb, ldb, transB, pc, ldc, accumulate, workspace);
            Simd.Visit<UnpackedProduct, bool>(path, ref product);
        }
    }

    /// <summary>
    /// <c>c1 (+)= op(a)·b1</c> and <c>c2 (+)= op(a)·b2</c> for one a (b1 [k, n1], b2 [k, n2], not transposed): the
    /// same bits as two <see cref="Multiply(int, int, int, ReadOnlySpan{float}, int, bool, ReadOnlySpan{float}, int, bool, Span{float}, int, bool, GemmWorkspace)"/>
    /// calls, with a packed once for both.
    /// </summary>
    public static void MultiplyPair(int m, int k, ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b1, int ldb1, int n1, Span<float> c1, int ldc1,
        ReadOnlySpan<float> b2, int ldb2, int n2, Span<float> c2, int ldc2, bool accumulate, GemmWorkspace workspace) =>
        MultiplyPair(Simd.Path, m, k, a, lda, transA, b1, ldb1, n1, c1, ldc1, b2, ldb2, n2, c2, ldc2, accumulate, workspace);

    /// <summary>The paired product on a chosen path, so tests can run every kernel on one machine.</summary>
    internal static void MultiplyPair(SimdPath path, int m, int k, ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b1, int ldb1, int n1, Span<float> c1, int ldc1,
        ReadOnlySpan<float> b2, int ldb2, int n2, Span<float> c2, int ldc2, bool accumulate, GemmWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ThrowIfUnsupported(path);
        CheckShapes(m, n1, k, a, lda, transA, c1, ldc1);
        CheckShapes(m, n2, k, a, lda, transA, c2, ldc2);
        CheckOperand(b1, k, n1, ldb1, nameof(b1));
        CheckOperand(b2, k, n2, ldb2, nameof(b2));
        if (m == 0 || k == 0 || n1 == 0 || n2 == 0 || n1 + n2 > Simd.Blocking(path).NC)
        {
            Multiply(path, m, n1, k, a, lda, transA, b1, ldb1, false, c1, ldc1, accumulate, workspace);
            Multiply(path, m, n2, k, a, lda, transA, b2, ldb2, false, c2, ldc2, accumulate, workspace);
            return;
        }

        fixed (float* pa = a)
        fixed (float* pb1 = b1)
        fixed (float* pb2 = b2)
        fixed (float* pc1 = c1)
        fixed (float* pc2 = c2)
        {
            var product = new PairedProduct(m, k, pa, lda, transA, pb1, ldb1, n1, pc1, ldc1, pb2, ldb2, n2, pc2, ldc2, accumulate, workspace);
            Simd.Visit<PairedProduct, bool>(path, ref product);
        }
    }

    /// <summary>NR of a path's kernel: the column width of its packed B panels.</summary>
    internal static int PanelWidth(SimdPath path) => Simd.Blocking(path).NR;

    /// <summary>
    /// Floats of <see cref="GemmWorkspace"/> scratch that products of up to <paramref name="m"/> rows and depth
    /// <paramref name="k"/> against a <see cref="PackedMatrix"/> of this process's path grow it to.
    /// </summary>
    internal static long PackedProductScratchFloats(int m, int k) => Simd.Blocking(Simd.Path).PackedProductScratchFloats(m, k);

    internal static void ThrowIfUnsupported(SimdPath path)
    {
        if (!Simd.IsSupported(path))
        {
            throw new PlatformNotSupportedException($"The {path} GEMM kernel is not accelerated on this machine (it runs: {string.Join(", ", Simd.Supported)}).");
        }
    }

    /// <summary>Checks that a row-major [rows, columns] operand with leading dimension ld fits in its span.</summary>
    internal static void CheckOperand(ReadOnlySpan<float> span, int rows, int columns, int ld, string name)
    {
        if (ld < columns)
        {
            throw new ArgumentOutOfRangeException(name, $"Leading dimension {ld} is less than the row width {columns}.");
        }

        long needed = rows == 0 || columns == 0 ? 0 : ((long)rows - 1) * ld + columns;
        if (span.Length < needed)
        {
            throw new ArgumentException($"[{rows}, {columns}] with leading dimension {ld} needs {needed} elements; the span has {span.Length}.", name);
        }
    }

    private static void CheckShapes(int m, int n, int k, ReadOnlySpan<float> a, int lda, bool transA, Span<float> c, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (transA)
        {
            CheckOperand(a, k, m, lda, nameof(a));
        }
        else
        {
            CheckOperand(a, m, k, lda, nameof(a));
        }

        CheckOperand(c, m, n, ldc, nameof(c));
    }

    /// <summary>Handles empty products: nothing to do, or (k = 0) a zero product that overwrites C with zeros or the bias.</summary>
    private static bool Trivial(int m, int n, int k, Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias = default)
    {
        if (m == 0 || n == 0)
        {
            return true;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    if (bias.IsEmpty)
                    {
                        c.Slice(i * ldc, n).Clear();
                    }
                    else
                    {
                        bias.CopyTo(c.Slice(i * ldc, n));
                    }
                }
            }

            return true;
        }

        return false;
    }

    // The two overloads' calls into the driver of a path's kernel, as registry visitors (the result is unused).
    private readonly struct PackedProduct(int m, float* a, int lda, bool transA, PackedMatrix b, float* c, int ldc, bool accumulate, float* bias, GemmWorkspace workspace)
        : ISimdPathVisitor<bool>
    {
        public bool Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel
        {
            GemmDriver<TKernel>.Multiply(m, a, lda, transA, b, c, ldc, accumulate, bias, workspace);
            return true;
        }
    }

    private readonly struct PairedProduct(int m, int k, float* a, int lda, bool transA, float* b1, int ldb1, int n1, float* c1, int ldc1,
        float* b2, int ldb2, int n2, float* c2, int ldc2, bool accumulate, GemmWorkspace workspace) : ISimdPathVisitor<bool>
    {
        public bool Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel
        {
            GemmDriver<TKernel>.MultiplyPair(m, k, a, lda, transA, b1, ldb1, n1, c1, ldc1, b2, ldb2, n2, c2, ldc2, accumulate, workspace);
            return true;
        }
    }

    private readonly struct UnpackedProduct(int m, int n, int k, float* a, int lda, bool transA, float* b, int ldb, bool transB, float* c, int ldc, bool accumulate, GemmWorkspace workspace)
        : ISimdPathVisitor<bool>
    {
        public bool Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel
        {
            GemmDriver<TKernel>.Multiply(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, workspace);
            return true;
        }
    }
}
