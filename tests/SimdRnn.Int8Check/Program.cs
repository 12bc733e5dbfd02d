using SimdRnn.Kernels;
using SimdRnn.Kernels.Quantized;

namespace SimdRnn.Int8Check;

/// <summary>
/// Every int8 kernel this CPU runs against the scalar kernel, bit for bit: a grid of shapes across every loop edge
/// of the kernels (K = 1, N = 1, m across the 4-row blocks, ordinary and extreme values), rows that make the largest
/// products of every sign, the saturating-pair case, and no allocation per call. One check is one kernel and one of
/// those four; a failing check prints its first differing element. The last line is "int8 check: N passed, N failed".
/// </summary>
internal static class Program
{
    private static int passed;
    private static int failed;

    private static int Main()
    {
        Int8Kernel[] kernels = [.. Enum.GetValues<Int8Kernel>().Where(Int8Gemm.IsSupported)];
        Console.WriteLine($"SIMD path {Simd.Path}, int8 kernel {Simd.Int8Kernel} ({Int8Gemm.Describe(Simd.Int8Kernel)}); kernels here: {string.Join(", ", kernels)}");
        foreach (var kernel in kernels.Where(k => k != Int8Kernel.Scalar))
        {
            Check(kernel, "shapes", Shapes(kernel));
            Check(kernel, "extreme values", ExtremeValues(kernel));
            Check(kernel, "saturating pairs", SaturatingPairs(kernel));
            Check(kernel, "no allocation", NoAllocation(kernel));
        }

        Console.WriteLine($"int8 check: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static void Check(Int8Kernel kernel, string name, string? failure)
    {
        if (failure is null)
        {
            passed++;
            Console.WriteLine($"ok: {kernel} {name}");
        }
        else
        {
            failed++;
            Console.WriteLine($"FAILED: {kernel} {name}: {failure}");
        }
    }

    private static string? Shapes(Int8Kernel kernel)
    {
        int seed = 0;
        foreach (int m in new[] { 1, 2, 3, 4, 5, 8, 9 })
        {
            foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 33 })
            {
                foreach (int k in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 64, 129 })
                {
                    foreach (bool extremes in new[] { false, true })
                    {
                        string? failure = CompareWithScalar(kernel, m, n, k, seed % 3, seed % 2, seed, extremes);
                        seed++;
                        if (failure is not null) return failure;
                    }
                }
            }
        }

        return null;
    }

    // Activations that quantize to exactly +-127 (all +max, all -max, alternating) against rows of W of 127, -127, their
    // neighbours, +-1 and 0: the sums are +-127 * w * k, or 127 * w for the alternating row (19 positive terms, 18 negative).
    private static string? ExtremeValues(Int8Kernel kernel)
    {
        sbyte[] weightValues = [127, -127, 126, -126, 1, -1, 0];
        const int k = 37, m = 3;
        int n = weightValues.Length;
        var values = new sbyte[n * k];
        for (int j = 0; j < n; j++) values.AsSpan(j * k, k).Fill(weightValues[j]);
        using var weights = new Int8Matrix(n, k, values, Enumerable.Repeat(1f, n).ToArray());
        var a = new float[m * k];
        for (int p = 0; p < k; p++)
        {
            a[p] = 2;
            a[k + p] = -2;
            a[2 * k + p] = p % 2 == 0 ? 2 : -2;
        }

        using var workspace = new GemmWorkspace();
        var c = new float[m * n];
        Int8Gemm.Multiply(kernel, weights, m, a, k, c, n, workspace);
        const float scale = 2f / 127;
        for (int j = 0; j < n; j++)
        {
            float[] expected = [
                MathF.FusedMultiplyAdd(127 * weightValues[j] * k, scale, 0),
                MathF.FusedMultiplyAdd(-127 * weightValues[j] * k, scale, 0),
                MathF.FusedMultiplyAdd(127 * weightValues[j], scale, 0)];
            for (int i = 0; i < m; i++)
            {
                if (c[i * n + j] != expected[i]) return $"c[{i}, {j}] (w = {weightValues[j]}) is {c[i * n + j]}, expected {expected[i]}";
            }
        }

        return null;
    }

    // Every pair 2 * 127 * 127 = 32,258 of one sign, over 4,099 inputs: exact, c = K * 127 * 127 * s_a * s_w.
    private static string? SaturatingPairs(Int8Kernel kernel)
    {
        const int m = 5, n = 19, k = 4099;
        using var workspace = new GemmWorkspace();
        foreach (int activationSign in new[] { 1, -1 })
        {
            foreach (int weightSign in new[] { 1, -1 })
            {
                var a = Enumerable.Repeat(activationSign * 0.5f, m * k).ToArray();
                using var weights = new Int8Matrix(n, k, Enumerable.Repeat((sbyte)(weightSign * 127), n * k).ToArray(), Enumerable.Repeat(0.25f, n).ToArray());
                float expected = MathF.FusedMultiplyAdd(activationSign * weightSign * 127 * 127 * k, 0.5f / 127 * 0.25f, 0);
                var c = new float[m * n];
                Int8Gemm.Multiply(kernel, weights, m, a, k, c, n, workspace);
                int at = Array.FindIndex(c, value => value != expected);
                if (at >= 0) return $"signs {activationSign}, {weightSign}: element {at} is {c[at]}, expected {expected}";
            }
        }

        return null;
    }

    private static string? NoAllocation(Int8Kernel kernel)
    {
        var (a, lda, c, ldc, weights) = Data(7, 37, 61, 1, 2, 5, false);
        using (weights)
        using (var workspace = new GemmWorkspace())
        {
            Int8Gemm.Multiply(kernel, weights, 7, a, lda, c, ldc, workspace);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) Int8Gemm.Multiply(kernel, weights, 7, a, lda, c, ldc, workspace);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return allocated == 0 ? null : $"10 calls allocated {allocated} bytes";
        }
    }

    private static string? CompareWithScalar(Int8Kernel kernel, int m, int n, int k, int rowPadding, int columnPadding, int seed, bool extremes)
    {
        var (a, lda, c, ldc, weights) = Data(m, n, k, rowPadding, columnPadding, seed, extremes);
        using (weights)
        using (var workspace = new GemmWorkspace())
        {
            float[] expected = (float[])c.Clone(), actual = (float[])c.Clone();
            Int8Gemm.Multiply(Int8Kernel.Scalar, weights, m, a, lda, expected, ldc, workspace);
            Int8Gemm.Multiply(kernel, weights, m, a, lda, actual, ldc, workspace);
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    return $"m {m}, n {n}, k {k}, extremes {extremes}: element {i} is {actual[i]}, the scalar kernel gives {expected[i]}";
                }
            }
        }

        return null;
    }

    // Activations in [-7, 7] (or +-1e6 at random where extremes), weights in [-127, 127] (or +-127), padded leading dimensions.
    private static (float[] A, int Lda, float[] C, int Ldc, Int8Matrix Weights) Data(int m, int n, int k, int rowPadding, int columnPadding, int seed, bool extremes)
    {
        var random = new Random(seed);
        int lda = k + rowPadding, ldc = n + columnPadding;
        var a = new float[m * lda];
        for (int i = 0; i < a.Length; i++) a[i] = extremes && random.Next(3) == 0 ? (random.Next(2) == 0 ? 1e6f : -1e6f) : (float)(random.NextDouble() * 2 - 1) * (1 + i % 7);
        var values = new sbyte[n * k];
        for (int i = 0; i < values.Length; i++) values[i] = extremes && random.Next(2) == 0 ? (sbyte)(random.Next(2) == 0 ? 127 : -127) : (sbyte)random.Next(-127, 128);
        var scales = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 0.1 + 1e-4)).ToArray();
        var c = Enumerable.Range(0, m * ldc).Select(_ => (float)random.NextDouble()).ToArray();
        return (a, lda, c, ldc, new Int8Matrix(n, k, values, scales));
    }
}
