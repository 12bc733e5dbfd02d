using SimdRnn.Kernels;

namespace SimdRnn.Tests.Kernels;

/// <summary>Random operands for a case, with padded leading dimensions; padding holds sentinel values.</summary>
internal sealed class GemmData
{
    private readonly float[] initialC;

    public GemmData(GemmCase t)
    {
        Case = t;
        var random = new Random(t.Seed);
        (int aRows, int aColumns) = t.TransA ? (t.K, t.M) : (t.M, t.K);
        (int bRows, int bColumns) = t.TransB ? (t.N, t.K) : (t.K, t.N);
        Lda = aColumns + t.PadA;
        Ldb = bColumns + t.PadB;
        Ldc = t.N + t.PadC;
        A = Fill(random, aRows * Lda);
        B = Fill(random, bRows * Ldb);

        // When not accumulating C must not be read: NaN there would poison any read.
        initialC = t.Accumulate ? Fill(random, t.M * Ldc) : Enumerable.Repeat(float.NaN, t.M * Ldc).ToArray();
    }

    public GemmCase Case { get; }

    public float[] A { get; }

    public float[] B { get; }

    public int Lda { get; }

    public int Ldb { get; }

    public int Ldc { get; }

    public float[] InitialC() => (float[])initialC.Clone();

    /// <summary>The product in double, and per element the sum of the magnitudes of its terms.</summary>
    public (double[] Expected, double[] Scale) Reference()
    {
        GemmCase t = Case;
        double[] a = Array.ConvertAll(A, x => (double)x);
        double[] b = Array.ConvertAll(B, x => (double)x);
        double[] expected = Array.ConvertAll(initialC, x => (double)x);
        NaiveGemm.Multiply<double>(t.M, t.N, t.K, a, Lda, t.TransA, b, Ldb, t.TransB, expected, Ldc, t.Accumulate);

        double[] scale = t.Accumulate ? Array.ConvertAll(initialC, x => Math.Abs((double)x)) : new double[initialC.Length];
        NaiveGemm.Multiply<double>(t.M, t.N, t.K, Array.ConvertAll(a, Math.Abs), Lda, t.TransA, Array.ConvertAll(b, Math.Abs), Ldb, t.TransB, scale, Ldc, accumulate: true);
        return (expected, scale);
    }

    private static float[] Fill(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }
}
