using System.Numerics;

namespace SimdRnn.Kernels;

/// <summary>
/// The reference product, a plain triple loop in any numeric type: the test oracle for <see cref="Gemm"/>
/// (run in double) and a fallback anyone can read. Same contract:
/// <c>c[i, j] = (accumulate ? c[i, j] : 0) + sum over p of op(a)[i, p] * op(b)[p, j]</c>, the sum taken
/// from zero in p order; when accumulate is false, c is never read.
/// </summary>
public static class NaiveGemm
{
    public static void Multiply<T>(int m, int n, int k, ReadOnlySpan<T> a, int lda, bool transA, ReadOnlySpan<T> b, int ldb, bool transB, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T left = transA ? a[p * lda + i] : a[i * lda + p];
                    T right = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += left * right;
                }

                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
        }
    }
}
