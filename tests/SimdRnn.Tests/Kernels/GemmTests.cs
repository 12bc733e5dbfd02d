using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Kernels;
using Xunit;

namespace SimdRnn.Tests.Kernels;

/// <summary>
/// <see cref="Gemm"/> on every SIMD path this machine runs, against <see cref="NaiveGemm"/> in double.
/// Properties replay fixed seeds so a run is reproducible; a failure names the path, the overload, the
/// case, and the largest difference with its index.
/// </summary>
public sealed class GemmTests
{
    private const double Tolerance = 1e-5;

    /// <summary>Scalar always, every vector path where the CPU accelerates it (the registry's list).</summary>
    internal static readonly IReadOnlyList<SimdPath> Paths = Simd.Supported;

    [Property(Arbitrary = [typeof(GemmCases)], MaxTest = 150, Replay = "(20261127,1357911)")]
    public void SmallShapes_MatchDoubleReference(GemmCase testCase) => CheckAgainstReference(testCase);

    /// <summary>Shapes that cross the k, m and n blocking (KC, MC, NR), fewer of them: each is bigger.</summary>
    [Property(Arbitrary = [typeof(GemmCases)], MaxTest = 12, Replay = "(424242,97531)")]
    public void BlockedShapes_MatchDoubleReference(BlockedGemmCase blocked) => CheckAgainstReference(blocked.Case);

    [Property(Arbitrary = [typeof(GemmCases)], MaxTest = 40, Replay = "(77777,24681)")]
    public void ColumnAndRowSplits_GiveBitIdenticalResults(BlockedGemmCase blocked)
    {
        GemmCase t = blocked.Case;
        var data = new GemmData(t);
        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            float[] whole = data.InitialC();
            Gemm.Multiply(path, t.M, t.N, t.K, data.A, data.Lda, t.TransA, data.B, data.Ldb, t.TransB, whole, data.Ldc, t.Accumulate, workspace);

            // Columns in uneven chunks, one call each.
            float[] byColumns = data.InitialC();
            foreach ((int start, int width) in Chunks(t.N, t.Seed))
            {
                ReadOnlySpan<float> b = t.TransB ? data.B.AsSpan(start * data.Ldb) : data.B.AsSpan(start);
                Gemm.Multiply(path, t.M, width, t.K, data.A, data.Lda, t.TransA, b, data.Ldb, t.TransB, byColumns.AsSpan(start), data.Ldc, t.Accumulate, workspace);
            }

            AssertBitIdentical(whole, byColumns, $"{path} column split, {t}");

            // Rows in uneven chunks against one packed B, which must also equal the unpacked product.
            using var packed = new PackedMatrix(t.K, t.N, path);
            packed.Pack(data.B, data.Ldb, t.TransB);
            float[] byRows = data.InitialC();
            foreach ((int start, int height) in Chunks(t.M, t.Seed + 1))
            {
                ReadOnlySpan<float> a = t.TransA ? data.A.AsSpan(start) : data.A.AsSpan(start * data.Lda);
                Gemm.Multiply(height, a, data.Lda, t.TransA, packed, byRows.AsSpan(start * data.Ldc), data.Ldc, t.Accumulate, workspace);
            }

            AssertBitIdentical(whole, byRows, $"{path} packed row split, {t}");
        }
    }

    /// <summary>
    /// Law: a product with A stored transposed equals, bit for bit, the product of A's explicit transpose, over
    /// shapes that cross the k blocking (the weight gradients' shape: A^T·B with A the [T*n, G*H] projection
    /// gradient): how A is packed must never change a bit.
    /// </summary>
    [Property(Arbitrary = [typeof(GemmCases)], MaxTest = 60, Replay = "(5150,8087)")]
    public void TransposedA_EqualsTheExplicitTranspose_BitForBit(BlockedGemmCase blocked)
    {
        GemmCase t = blocked.Case with { TransA = true, TransB = false };
        var data = new GemmData(t);
        float[] explicitA = ExplicitTranspose(data);

        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            float[] stored = data.InitialC();
            Gemm.Multiply(path, t.M, t.N, t.K, data.A, data.Lda, true, data.B, data.Ldb, false, stored, data.Ldc, t.Accumulate, workspace);
            float[] direct = data.InitialC();
            Gemm.Multiply(path, t.M, t.N, t.K, explicitA, t.K, false, data.B, data.Ldb, false, direct, data.Ldc, t.Accumulate, workspace);
            AssertBitIdentical(direct, stored, $"{path}, {t}");
        }
    }

    /// <summary>
    /// Law: on shallow products, whose rows of A lie a k block or less apart so that the AVX2 kernel reads them in
    /// place, A stored transposed (always packed) and its explicit transpose give the same bits, against B packed
    /// per call and B packed once alike: reading A in place must never change a bit either.
    /// </summary>
    [Property(Arbitrary = [typeof(GemmCases)], MaxTest = 100, Replay = "(1207,8087)")]
    public void TransposedA_OfShallowProducts_EqualsTheExplicitTranspose_BitForBit(GemmCase small)
    {
        GemmCase t = small with { TransA = true };
        var data = new GemmData(t);
        float[] explicitA = ExplicitTranspose(data);

        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            float[] stored = data.InitialC();
            Gemm.Multiply(path, t.M, t.N, t.K, data.A, data.Lda, true, data.B, data.Ldb, t.TransB, stored, data.Ldc, t.Accumulate, workspace);
            float[] direct = data.InitialC();
            Gemm.Multiply(path, t.M, t.N, t.K, explicitA, t.K, false, data.B, data.Ldb, t.TransB, direct, data.Ldc, t.Accumulate, workspace);
            AssertBitIdentical(stored, direct, $"{path}, B packed per call, {t}");

            using var packed = new PackedMatrix(t.K, t.N, path);
            packed.Pack(data.B, data.Ldb, t.TransB);
            float[] storedPacked = data.InitialC();
            Gemm.Multiply(t.M, data.A, data.Lda, true, packed, storedPacked, data.Ldc, t.Accumulate, workspace);
            float[] directPacked = data.InitialC();
            Gemm.Multiply(t.M, explicitA, t.K, false, packed, directPacked, data.Ldc, t.Accumulate, workspace);
            AssertBitIdentical(storedPacked, directPacked, $"{path}, B packed once, {t}");
        }
    }

    /// <summary>
    /// Law: the paired product (one A, two B, as a layer's weight gradients take it) gives the bits of the two
    /// products it stands for, on every path, over shapes that cross the k and m blocking.
    /// </summary>
    [Property(Arbitrary = [typeof(GemmCases)], MaxTest = 30, Replay = "(2718281,314159)")]
    public void PairedProduct_EqualsTwoProducts_BitForBit(BlockedGemmCase blocked, PositiveInt secondWidth)
    {
        GemmCase t = blocked.Case with { TransB = false };
        var first = new GemmData(t);
        var second = new GemmData(t with { N = 1 + secondWidth.Get % 140, Seed = t.Seed + 1 });
        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            float[] c1 = first.InitialC(), c2 = second.InitialC();
            Gemm.Multiply(path, t.M, t.N, t.K, first.A, first.Lda, t.TransA, first.B, first.Ldb, false, c1, first.Ldc, t.Accumulate, workspace);
            Gemm.Multiply(path, t.M, second.Case.N, t.K, first.A, first.Lda, t.TransA, second.B, second.Ldb, false, c2, second.Ldc, t.Accumulate, workspace);

            float[] p1 = first.InitialC(), p2 = second.InitialC();
            Gemm.MultiplyPair(path, t.M, t.K, first.A, first.Lda, t.TransA, first.B, first.Ldb, t.N, p1, first.Ldc,
                second.B, second.Ldb, second.Case.N, p2, second.Ldc, t.Accumulate, workspace);
            AssertBitIdentical(c1, p1, $"{path} first product, {t}");
            AssertBitIdentical(c2, p2, $"{path} second product, n2={second.Case.N}, {t}");
        }
    }

    /// <summary>
    /// Law: a packed product given a bias gives, bit for bit, the bias stored into every row of C and then accumulated
    /// into (what the layers did before the kernels took the bias), on every path: the row products of a few rows, the
    /// micro-kernel's full, short and edge tiles and k past KC alike; C's padding stays untouched.
    /// </summary>
    [Property(Arbitrary = [typeof(GemmCases)], MaxTest = 60, Replay = "(20261207,4711)")]
    public void BiasInTheProduct_EqualsTheBiasStoredThenAccumulated_BitForBit(GemmCase small, BlockedGemmCase blocked)
    {
        using var workspace = new GemmWorkspace();
        foreach (GemmCase t in new[] { small, blocked.Case })
        {
            var data = new GemmData(t);
            var random = new Random(t.Seed ^ 0x5eed);
            var bias = new float[t.N];
            for (int j = 0; j < bias.Length; j++) bias[j] = (float)(random.NextDouble() * 4 - 2);
            foreach (SimdPath path in Paths)
            {
                using var packed = new PackedMatrix(t.K, t.N, path);
                packed.Pack(data.B, data.Ldb, t.TransB);

                float[] stored = data.InitialC();
                for (int i = 0; i < t.M; i++) bias.CopyTo(stored, i * data.Ldc);
                Gemm.Multiply(t.M, data.A, data.Lda, t.TransA, packed, stored, data.Ldc, accumulate: true, workspace);

                float[] inProduct = data.InitialC();
                Gemm.MultiplyAddBias(t.M, data.A, data.Lda, t.TransA, packed, bias, inProduct, data.Ldc, workspace);
                AssertBitIdentical(stored, inProduct, $"{path}, {t}");
            }
        }
    }

    /// <summary>The engine's LSTM-128 step shapes, all full tiles: forward h·Wh and backward dGates·Wh^T.</summary>
    [Theory]
    [InlineData(128, 512, 128, false)]
    [InlineData(128, 128, 512, true)]
    public void EngineStepShapes_MatchDoubleReference(int m, int n, int k, bool transB) =>
        CheckAgainstReference(new GemmCase(m, n, k, 0, 0, 0, false, transB, true, m + n + k));

    /// <summary>n past every path's NC column block (the property shapes stay below it), both layouts of B.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ShapesPastTheWidestColumnBlock_MatchDoubleReference(bool transB)
    {
        int nc = Paths.Max(path => Simd.Blocking(path).NC);
        CheckAgainstReference(new GemmCase(13, nc + 37, 70, 1, 2, 3, false, transB, true, 20261202));
    }

    [Fact]
    public void AvailablePaths_IncludeTheProcessPath() => Assert.Contains(Simd.Path, Paths);

    [Fact]
    public void ZeroDepth_ZeroesCOnlyWhenNotAccumulating()
    {
        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            float[] c = [float.NaN, float.NaN, 7f, float.NaN, float.NaN, 7f];
            Gemm.Multiply(path, 2, 2, 0, [], 0, false, [], 2, false, c, 3, accumulate: false, workspace);
            Assert.Equal([0f, 0f, 7f, 0f, 0f, 7f], c);

            float[] kept = [1f, 2f, 3f, 4f];
            using var packed = new PackedMatrix(0, 2, path);
            packed.Pack([], 2, transB: false);
            Gemm.Multiply(2, [], 0, false, packed, kept, 2, accumulate: true, workspace);
            Assert.Equal([1f, 2f, 3f, 4f], kept);
        }
    }

    [Fact]
    public void PackedMatrix_CanBeRepackedWithNewValues()
    {
        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            using var packed = new PackedMatrix(2, 3, path);
            float[] a = [1f, 2f];
            float[] c = new float[3];
            packed.Pack([1f, 2f, 3f, 4f, 5f, 6f], 3, transB: false);
            Gemm.Multiply(1, a, 2, false, packed, c, 3, accumulate: false, workspace);
            Assert.Equal([9f, 12f, 15f], c);

            packed.Pack([1f, 0f, 0f, 1f, 1f, 1f], 2, transB: true);
            Gemm.Multiply(1, a, 2, false, packed, c, 3, accumulate: false, workspace);
            Assert.Equal([1f, 2f, 3f], c);
        }
    }

    [Fact]
    public void SteadyStateCalls_AllocateNothing()
    {
        // The engine's forward-step shape, small enough for a unit test, plus an odd transposed one.
        var forward = new GemmData(new GemmCase(64, 96, 40, 0, 0, 0, false, false, true, 1));
        var odd = new GemmData(new GemmCase(37, 29, 300, 3, 1, 2, true, true, false, 2));
        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            using var packed = new PackedMatrix(40, 96, path);
            float[] c1 = forward.InitialC();
            float[] c2 = odd.InitialC();
            void Run()
            {
                packed.Pack(forward.B, forward.Ldb, transB: false);
                Gemm.Multiply(64, forward.A, forward.Lda, false, packed, c1, forward.Ldc, accumulate: true, workspace);
                Gemm.Multiply(path, 37, 29, 300, odd.A, odd.Lda, true, odd.B, odd.Ldb, true, c2, odd.Ldc, accumulate: false, workspace);
            }

            Run();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
            {
                Run();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        long publicBefore = GC.GetAllocatedBytesForCurrentThread();
        Gemm.Multiply(37, 29, 300, odd.A, odd.Lda, true, odd.B, odd.Ldb, true, odd.InitialC(), odd.Ldc, false, workspace);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - publicBefore < 64 * 1024, "only the test's own C array may allocate");
    }

    [Fact]
    public void NaiveGemm_MatchesAHandComputedProduct()
    {
        // [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]; with transA the left operand is [[1, 3], [2, 4]].
        double[] c = new double[4];
        NaiveGemm.Multiply<double>(2, 2, 2, [1, 2, 3, 4], 2, false, [5, 6, 7, 8], 2, false, c, 2, false);
        Assert.Equal([19.0, 22.0, 43.0, 50.0], c);
        NaiveGemm.Multiply<double>(2, 2, 2, [1, 2, 3, 4], 2, true, [5, 6, 7, 8], 2, false, c, 2, true);
        Assert.Equal([19.0 + 26, 22.0 + 30, 43.0 + 38, 50.0 + 44], c);
    }

    private static void CheckAgainstReference(GemmCase t)
    {
        var data = new GemmData(t);
        (double[] expected, double[] scale) = data.Reference();
        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in Paths)
        {
            float[] c = data.InitialC();
            Gemm.Multiply(path, t.M, t.N, t.K, data.A, data.Lda, t.TransA, data.B, data.Ldb, t.TransB, c, data.Ldc, t.Accumulate, workspace);
            AssertClose(data, c, expected, scale, $"{path} unpacked, {t}");

            using var packed = new PackedMatrix(t.K, t.N, path);
            packed.Pack(data.B, data.Ldb, t.TransB);
            float[] cPacked = data.InitialC();
            Gemm.Multiply(t.M, data.A, data.Lda, t.TransA, packed, cPacked, data.Ldc, t.Accumulate, workspace);
            AssertClose(data, cPacked, expected, scale, $"{path} packed, {t}");
        }
    }

    /// <summary>
    /// Each valid element within <see cref="Tolerance"/> of the double result, relative to the sum of the
    /// magnitudes of its terms (so cancellation does not demand impossible accuracy); padding untouched.
    /// </summary>
    private static void AssertClose(GemmData data, float[] actual, double[] expected, double[] scale, string what)
    {
        GemmCase t = data.Case;
        double worst = 0;
        int worstRow = -1, worstColumn = -1;
        float[] initial = data.InitialC();
        for (int i = 0; i < actual.Length; i++)
        {
            int row = i / data.Ldc, column = i % data.Ldc;
            if (row >= t.M || column >= t.N)
            {
                Assert.True(BitConverter.SingleToInt32Bits(actual[i]) == BitConverter.SingleToInt32Bits(initial[i]), $"{what}: padding element {i} was written");
                continue;
            }

            double relative = Math.Abs(actual[i] - expected[i]) / Math.Max(scale[i], 1e-30);
            if (!(relative <= worst))
            {
                worst = relative;
                worstRow = row;
                worstColumn = column;
            }
        }

        if (worst > Tolerance)
        {
            int at = worstRow * data.Ldc + worstColumn;
            Assert.Fail($"{what}: largest relative difference {worst:E3} at [{worstRow}, {worstColumn}] (got {actual[at]:R}, expected {expected[at]:R}, scale {scale[at]:R})");
        }
    }

    /// <summary>op(A) [M, K] of a case whose A is stored transposed, written out row-major (leading dimension K).</summary>
    private static float[] ExplicitTranspose(GemmData data)
    {
        GemmCase t = data.Case;
        var explicitA = new float[t.M * t.K];
        for (int p = 0; p < t.K; p++)
        {
            for (int i = 0; i < t.M; i++) explicitA[i * t.K + p] = data.A[p * data.Lda + i];
        }

        return explicitA;
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} differs ({actual[i]:R} vs {expected[i]:R}, difference {Math.Abs(actual[i] - expected[i]):E3})");
            }
        }
    }

    /// <summary>Splits [0, length) into uneven consecutive chunks chosen by the seed.</summary>
    private static List<(int Start, int Length)> Chunks(int length, int seed)
    {
        var random = new Random(seed);
        var chunks = new List<(int, int)>();
        for (int start = 0; start < length;)
        {
            int size = Math.Min(length - start, random.Next(1, 40));
            chunks.Add((start, size));
            start += size;
        }

        return chunks;
    }
}
