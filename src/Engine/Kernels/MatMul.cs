using System.Numerics;
using System.Runtime.InteropServices;

namespace SimdRnn.Kernels;

/// <summary>
/// Matrix products for the engine's element type: the packed SIMD <see cref="Gemm"/> for float, the
/// reference <see cref="NaiveGemm"/> for double (the gradient checks). The type tests fold away in each
/// specialisation.
/// </summary>
internal static class MatMul<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>c[m,n] (+)= op(a)[m,k] · op(b)[k,n].</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<T> a, int lda, bool transA, ReadOnlySpan<T> b, int ldb, bool transB,
        Span<T> c, int ldc, bool accumulate, GemmWorkspace workspace)
    {
        if (typeof(T) == typeof(float))
        {
            Gemm.Multiply(m, n, k, MemoryMarshal.Cast<T, float>(a), lda, transA, MemoryMarshal.Cast<T, float>(b), ldb, transB,
                MemoryMarshal.Cast<T, float>(c), ldc, accumulate, workspace);
        }
        else
        {
            NaiveGemm.Multiply(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate);
        }
    }

    /// <summary>c1[m,n1] (+)= op(a) · b1[k,n1] and c2[m,n2] (+)= op(a) · b2[k,n2], with a read once for both (float).</summary>
    public static void MultiplyPair(int m, int k, ReadOnlySpan<T> a, int lda, bool transA, ReadOnlySpan<T> b1, int ldb1, int n1, Span<T> c1, int ldc1,
        ReadOnlySpan<T> b2, int ldb2, int n2, Span<T> c2, int ldc2, bool accumulate, GemmWorkspace workspace)
    {
        if (typeof(T) == typeof(float))
        {
            Gemm.MultiplyPair(m, k, MemoryMarshal.Cast<T, float>(a), lda, transA,
                MemoryMarshal.Cast<T, float>(b1), ldb1, n1, MemoryMarshal.Cast<T, float>(c1), ldc1,
                MemoryMarshal.Cast<T, float>(b2), ldb2, n2, MemoryMarshal.Cast<T, float>(c2), ldc2, accumulate, workspace);
        }
        else
        {
            NaiveGemm.Multiply(m, n1, k, a, lda, transA, b1, ldb1, false, c1, ldc1, accumulate);
            NaiveGemm.Multiply(m, n2, k, a, lda, transA, b2, ldb2, false, c2, ldc2, accumulate);
        }
    }

    /// <summary>c[m,n] (+)= a[m,k] · op(b) with op(b) packed once and reused.</summary>
    public static void Multiply(int m, ReadOnlySpan<T> a, int lda, PackedWeights<T> b, Span<T> c, int ldc, bool accumulate, GemmWorkspace workspace)
    {
        if (b.K == 0 || b.N == 0 || m == 0)
        {
            if (!accumulate) ClearRows(c, m, b.N, ldc);
            return;
        }

        if (typeof(T) == typeof(float))
        {
            Gemm.Multiply(m, MemoryMarshal.Cast<T, float>(a), lda, false, b.Packed!, MemoryMarshal.Cast<T, float>(c), ldc, accumulate, workspace);
        }
        else
        {
            NaiveGemm.Multiply(m, b.N, b.K, a, lda, false, b.Source, b.SourceStride, b.Transposed, c, ldc, accumulate);
        }
    }

    /// <summary>c[i, :] = bias + a[i, :] · op(b) for every row i, the bias added in the product (float) or stored first (double).</summary>
    public static void MultiplyAddBias(int m, ReadOnlySpan<T> a, int lda, PackedWeights<T> b, ReadOnlySpan<T> bias, Span<T> c, int ldc, GemmWorkspace workspace)
    {
        if (typeof(T) == typeof(float) && b.K > 0 && b.N > 0 && m > 0)
        {
            Gemm.MultiplyAddBias(m, MemoryMarshal.Cast<T, float>(a), lda, false, b.Packed!, MemoryMarshal.Cast<T, float>(bias), MemoryMarshal.Cast<T, float>(c), ldc, workspace);
        }
        else
        {
            FillRows(c, bias, m, ldc);
            Multiply(m, a, lda, b, c, ldc, accumulate: true, workspace);
        }
    }

    /// <summary>Each of the first <paramref name="m"/> rows of c (at <paramref name="ldc"/>) set to <paramref name="row"/>.</summary>
    public static void FillRows(Span<T> c, ReadOnlySpan<T> row, int m, int ldc)
    {
        for (int i = 0; i < m; i++) row.CopyTo(c.Slice(i * ldc, row.Length));
    }

    private static void ClearRows(Span<T> c, int m, int n, int ldc)
    {
        for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
    }
}

/// <summary>
/// A weight matrix used as op(B) [K, N] in many products (a recurrent matrix at every time step): packed
/// once per batch into the micro-kernel's panel layout for float, read in place for double.
/// </summary>
internal sealed class PackedWeights<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] values;
    private readonly int offset;

    public PackedWeights(T[] values, int offset, int stride, bool transposed, int k, int n)
    {
        this.values = values;
        this.offset = offset;
        SourceStride = stride;
        Transposed = transposed;
        K = k;
        N = n;
        if (typeof(T) == typeof(float) && k > 0 && n > 0) Packed = new PackedMatrix(k, n);
    }

    public int K { get; }

    public int N { get; }

    public bool Transposed { get; }

    public int SourceStride { get; }

    public PackedMatrix? Packed { get; }

    public ReadOnlySpan<T> Source => values.AsSpan(offset, (Transposed ? N : K) * SourceStride);

    /// <summary>Re-reads the weights after an optimizer step.</summary>
    public void Refresh() => Packed?.Pack(MemoryMarshal.Cast<T, float>(Source), SourceStride, Transposed);

    public void Dispose() => Packed?.Dispose();
}
