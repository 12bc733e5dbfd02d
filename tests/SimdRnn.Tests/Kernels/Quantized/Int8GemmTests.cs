using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Kernels;
using SimdRnn.Kernels.Quantized;
using Xunit;

namespace SimdRnn.Tests.Kernels.Quantized;

/// <summary>
/// The int8 product on every kernel this machine runs against the scalar kernel (bit-identical: every kernel sums
/// the same int32 values and rounds the same way), and the scalar kernel against the float product it approximates.
/// </summary>
public sealed class Int8GemmTests
{
    internal static readonly Int8Kernel[] Kernels = Enum.GetValues<Int8Kernel>().Where(Int8Gemm.IsSupported).ToArray();

    /// <summary>The kernels this machine runs, by name (Int8Kernel is internal, and xunit's theories are public).</summary>
    public static TheoryData<string> SupportedKernels => [.. Kernels.Select(k => k.ToString())];

    /// <summary>An int8 product's shape and data seed: odd sizes across the 4-row, 4-panel and 4-byte-group edges.</summary>
    public sealed record Case(int M, int N, int K, int RowPadding, int ColumnPadding, int Seed, bool Extremes);

    public static class Cases
    {
        public static Arbitrary<Case> Case() =>
            (from m in Gen.Choose(0, 13)
             from n in Gen.Choose(0, 70)
             from k in Gen.Choose(0, 140)
             from rowPadding in Gen.Choose(0, 3)
             from columnPadding in Gen.Choose(0, 3)
             from seed in Gen.Choose(0, int.MaxValue)
             from extremes in Gen.Elements(false, true)
             select new Case(m, n, k, rowPadding, columnPadding, seed, extremes)).ToArbitrary();
    }

    [Property(Arbitrary = [typeof(Cases)], MaxTest = 200, Replay = "(20261202,171717)")]
    public void EveryKernel_IsBitIdenticalToTheScalarKernel(Case t)
    {
        var (a, lda, c, ldc, weights) = Data(t);
        using (weights)
        using (var workspace = new GemmWorkspace())
        {
            float[] expected = (float[])c.Clone();
            Int8Gemm.Multiply(Int8Kernel.Scalar, weights, t.M, a, lda, expected, ldc, workspace);
            foreach (var kernel in Kernels)
            {
                float[] actual = (float[])c.Clone();
                Int8Gemm.Multiply(kernel, weights, t.M, a, lda, actual, ldc, workspace);
                int at = FirstDifference(expected, actual);
                Assert.True(at < 0, $"{kernel} {t}: element {at} is {(at < 0 ? 0 : actual[at])}, the scalar kernel gives {(at < 0 ? 0 : expected[at])}");
            }
        }
    }

    /// <summary>
    /// The edges of every kernel's loops, named rather than left to chance: K = 1 (one partly filled 4-byte group),
    /// N = 1 (one live row in a panel of 8, one live column in a 4-column half), m across the 4-row blocks, with
    /// ordinary and extreme values.
    /// </summary>
    [Theory]
    [MemberData(nameof(SupportedKernels))]
    public void EdgeShapes_AreBitIdenticalToTheScalarKernel(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        (int N, int K)[] sizes = [(1, 1), (1, 2), (1, 5), (2, 1), (5, 1), (7, 1), (8, 4), (9, 3), (12, 1), (16, 1), (17, 9), (3, 64), (33, 129)];
        int seed = 0;
        foreach (int m in new[] { 1, 2, 3, 4, 5, 8, 9 })
        {
            foreach (var (n, k) in sizes)
            {
                foreach (bool extremes in new[] { false, true })
                {
                    var t = new Case(m, n, k, seed % 3, seed % 2, seed, extremes);
                    seed++;
                    var (a, lda, c, ldc, weights) = Data(t);
                    using (weights)
                    using (var workspace = new GemmWorkspace())
                    {
                        float[] expected = (float[])c.Clone(), actual = (float[])c.Clone();
                        Int8Gemm.Multiply(Int8Kernel.Scalar, weights, m, a, lda, expected, ldc, workspace);
                        Int8Gemm.Multiply(kernel, weights, m, a, lda, actual, ldc, workspace);
                        int at = FirstDifference(expected, actual);
                        Assert.True(at < 0, $"{kernel} {t}: element {at} is {(at < 0 ? 0 : actual[at])}, the scalar kernel gives {(at < 0 ? 0 : expected[at])}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The largest products of every sign: activations that quantize to exactly +-127 against weights of +-127 and of
    /// the values next to them, one row per combination, so a kernel that narrows, saturates or mixes signs wrongly
    /// cannot match.
    /// </summary>
    [Theory]
    [MemberData(nameof(SupportedKernels))]
    public void ExtremeValues_AreSummedExactly(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        sbyte[] weightValues = [127, -127, 126, -126, 1, -1, 0];
        const int k = 37;
        int n = weightValues.Length, m = 3;
        var values = new sbyte[n * k];
        for (int j = 0; j < n; j++) values.AsSpan(j * k, k).Fill(weightValues[j]);
        using var weights = new Int8Matrix(n, k, values, Enumerable.Repeat(1f, n).ToArray());
        // Row 0 all +max (q = 127), row 1 all -max (q = -127), row 2 alternating: the sums are +-127 * w * k or near 0.
        var a = new float[m * k];
        for (int p = 0; p < k; p++) { a[p] = 2; a[k + p] = -2; a[2 * k + p] = p % 2 == 0 ? 2 : -2; }
        using var workspace = new GemmWorkspace();
        var c = new float[m * n];
        Int8Gemm.Multiply(kernel, weights, m, a, k, c, n, workspace);
        for (int j = 0; j < n; j++)
        {
            float scale = 2f / 127;
            Assert.Equal(MathF.FusedMultiplyAdd(127 * weightValues[j] * k, scale, 0), c[j]);
            Assert.Equal(MathF.FusedMultiplyAdd(-127 * weightValues[j] * k, scale, 0), c[n + j]);
            Assert.Equal(MathF.FusedMultiplyAdd(127 * weightValues[j], scale, 0), c[2 * n + j]);   // 19 positive terms, 18 negative
        }
    }

    /// <summary>
    /// The worst case for AVX2's int16 pairs: every activation quantizes to +-127 and every weight is +-127 of the same
    /// sign, so each pair is 2 * 127 * 127 = 32,258 (vpmaddubsw on a + 128 would saturate at 32,767 here); long rows
    /// make the int32 sums large too. The sums must be exact: c = K * 127 * 127 * s_a * s_w.
    /// </summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, -1)]
    [InlineData(-1, 1)]
    [InlineData(-1, -1)]
    public void SaturatingPairs_AreSummedExactly(int activationSign, int weightSign)
    {
        const int m = 5, n = 19, k = 4099;
        var a = Enumerable.Repeat(activationSign * 0.5f, m * k).ToArray();
        using var weights = new Int8Matrix(n, k, Enumerable.Repeat((sbyte)(weightSign * 127), n * k).ToArray(), Enumerable.Repeat(0.25f, n).ToArray());
        using var workspace = new GemmWorkspace();
        float expected = MathF.FusedMultiplyAdd(activationSign * weightSign * 127 * 127 * k, 0.5f / 127 * 0.25f, 0);
        foreach (var kernel in Kernels)
        {
            var c = new float[m * n];
            Int8Gemm.Multiply(kernel, weights, m, a, k, c, n, workspace);
            Assert.All(c, value => Assert.Equal(expected, value));
        }
    }

    /// <summary>
    /// The scalar kernel stays within the quantization error of the float product:
    /// |a·w - qa·qw·s_a·s_w| &lt;= sum over k of |a| s_w / 2 + |w| s_a / 2 + s_a s_w / 4, plus float rounding.
    /// </summary>
    [Property(Arbitrary = [typeof(Cases)], MaxTest = 100, Replay = "(31415,92653)")]
    public void ScalarKernel_StaysWithinTheQuantizationError(Case t)
    {
        var random = new Random(t.Seed);
        int m = t.M, n = t.N, k = t.K;
        var a = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var w = Enumerable.Range(0, n * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var weights = Int8Matrix.Quantize(w, n, k);
        using var workspace = new GemmWorkspace();
        var c = new float[m * n];
        Int8Gemm.Multiply(Int8Kernel.Scalar, weights, m, a, k, c, n, workspace);
        for (int i = 0; i < m; i++)
        {
            var row = a.AsSpan(i * k, k);
            double sa = MaxAbs(row) / 127;
            for (int j = 0; j < n; j++)
            {
                double sw = weights.Scales[j], exact = 0, bound = 0;
                for (int p = 0; p < k; p++)
                {
                    exact += (double)row[p] * w[j * k + p];
                    bound += Math.Abs(row[p]) * sw / 2 + Math.Abs(w[j * k + p]) * sa / 2 + sa * sw / 4;
                }

                double error = Math.Abs(c[i * n + j] - exact);
                Assert.True(error <= bound * 1.001 + 1e-5, $"{t}: c[{i}, {j}] = {c[i * n + j]}, float product {exact}, error {error} above the bound {bound}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(SupportedKernels))]
    public void Multiply_OnEachKernel_AllocatesNothing(string kernelName)
    {
        var kernel = Enum.Parse<Int8Kernel>(kernelName);
        var (a, lda, c, ldc, weights) = Data(new Case(7, 37, 61, 1, 2, 5, false));
        using (weights)
        using (var workspace = new GemmWorkspace())
        {
            Int8Gemm.Multiply(kernel, weights, 7, a, lda, c, ldc, workspace);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) Int8Gemm.Multiply(kernel, weights, 7, a, lda, c, ldc, workspace);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void Multiply_OnTheProcesssKernel_AllocatesNothing()
    {
        var (a, lda, c, ldc, weights) = Data(new Case(7, 37, 61, 1, 2, 5, false));
        using (weights)
        using (var workspace = new GemmWorkspace())
        {
            weights.Multiply(7, a, lda, c, ldc, workspace);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) weights.Multiply(7, a, lda, c, ldc, workspace);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void Matrix_RefusesMinus128AndNonPositiveScales()
    {
        Assert.Contains("-128", Assert.Throws<ArgumentException>(() => new Int8Matrix(1, 2, [(sbyte)1, sbyte.MinValue], [1f])).Message);
        foreach (float scale in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
        {
            Assert.Contains("scales", Assert.Throws<ArgumentException>(() => new Int8Matrix(1, 1, [(sbyte)1], [scale])).Message);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new Int8Matrix(1, Int8Matrix.MaxK + 1, new sbyte[Int8Matrix.MaxK + 1], [1f]));
    }

    private static (float[] A, int Lda, float[] C, int Ldc, Int8Matrix Weights) Data(Case t)
    {
        var random = new Random(t.Seed);
        int lda = t.K + t.RowPadding, ldc = t.N + t.ColumnPadding;
        var a = new float[Math.Max(0, t.M * lda)];
        for (int i = 0; i < a.Length; i++) a[i] = t.Extremes && random.Next(3) == 0 ? (random.Next(2) == 0 ? 1e6f : -1e6f) : (float)(random.NextDouble() * 2 - 1) * (1 + i % 7);
        var values = new sbyte[t.N * t.K];
        for (int i = 0; i < values.Length; i++) values[i] = t.Extremes && random.Next(2) == 0 ? (sbyte)(random.Next(2) == 0 ? 127 : -127) : (sbyte)random.Next(-127, 128);
        var scales = Enumerable.Range(0, t.N).Select(_ => (float)(random.NextDouble() * 0.1 + 1e-4)).ToArray();
        var c = Enumerable.Range(0, Math.Max(0, t.M * ldc)).Select(_ => (float)random.NextDouble()).ToArray();
        return (a, lda, c, ldc, new Int8Matrix(t.N, t.K, values, scales));
    }

    private static int FirstDifference(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i])) return i;
        }

        return -1;
    }

    private static double MaxAbs(ReadOnlySpan<float> row)
    {
        double max = 0;
        foreach (float value in row) max = Math.Max(max, Math.Abs(value));
        return max;
    }
}
