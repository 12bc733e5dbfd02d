// TEMPORARY until the gemm branch merges: naive stand-ins with the agreed API.
using System.Numerics;
namespace SimdRnn.Kernels;

public static class NaiveGemm
{
    public static void Multiply<T>(int m, int n, int k, ReadOnlySpan<T> a, int lda, bool transA, ReadOnlySpan<T> b, int ldb, bool transB, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = accumulate ? c[i * ldc + j] : T.Zero;
                for (int p = 0; p < k; p++)
                    sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = sum;
            }
    }
}

public sealed class GemmWorkspace : IDisposable { public void Dispose() { } }

public sealed class PackedMatrix : IDisposable
{
    private float[] data;
    public PackedMatrix(int k, int n) { K = k; N = n; data = new float[k * n]; }
    public int K { get; }
    public int N { get; }
    public void Pack(ReadOnlySpan<float> b, int ldb, bool transB)
    {
        for (int p = 0; p < K; p++) for (int j = 0; j < N; j++) data[p * N + j] = transB ? b[j * ldb + p] : b[p * ldb + j];
    }
    internal ReadOnlySpan<float> Data => data;
    public void Dispose() { }
}

public static class Gemm
{
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, bool transA, ReadOnlySpan<float> b, int ldb, bool transB, Span<float> c, int ldc, bool accumulate, GemmWorkspace workspace)
        => NaiveGemm.Multiply(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate);
    public static void Multiply(int m, ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, Span<float> c, int ldc, bool accumulate, GemmWorkspace workspace)
        => NaiveGemm.Multiply(m, b.N, b.K, a, lda, transA, b.Data, b.N, false, c, ldc, accumulate);
}
