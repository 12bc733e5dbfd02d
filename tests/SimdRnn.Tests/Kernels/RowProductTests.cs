using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Kernels;
using Xunit;

namespace SimdRnn.Tests.Kernels;

/// <summary>A product of few rows against a packed B: the rows, then the filler rows that push it onto the micro-kernel.</summary>
public sealed record FewRowsCase(GemmCase Case, int Rows)
{
    public override string ToString() => $"rows={Rows} of {Case}";
}

public static class FewRowsCases
{
    /// <summary>Rows past <see cref="GemmDriver{TKernel}.RowProductRows"/> and past every kernel's MR, so the product runs its tiles.</summary>
    internal const int FillerRows = 9;

    public static Arbitrary<FewRowsCase> Cases() =>
        (from rows in Gen.Choose(1, Math.Max(4, GemmDriver<GemmKernelScalar>.RowProductRows))
         from columns in Gen.Frequency((3, Gen.Choose(1, 40)), (2, Gen.Choose(41, 140)))
         from depth in Gen.Frequency((3, Gen.Choose(1, 64)), (2, Gen.Choose(65, 600)))
         from pads in Gen.Choose(0, 3).Three()
         from transA in Gen.Elements(false, true)
         from transB in Gen.Elements(false, true)
         from accumulate in Gen.Elements(false, true)
         from seed in Gen.Choose(0, int.MaxValue)
         select new FewRowsCase(new GemmCase(rows + FillerRows, columns, depth, pads.Item1, pads.Item2, pads.Item3, transA, transB, accumulate, seed), rows))
        .ToArbitrary();
}

/// <summary>
/// The row product (<see cref="RowProduct{TKernel, TVector}"/>), which runs packed products of up to
/// <see cref="GemmDriver{TKernel}.RowProductRows"/> rows, against the micro-kernel: the same rows inside a product of
/// more rows must come out with the same bits, on every path this machine runs (k past KC, edge panels, transposed A,
/// accumulating or not, padded leading dimensions).
/// </summary>
public sealed class RowProductTests
{
    [Property(Arbitrary = [typeof(FewRowsCases)], MaxTest = 120, Replay = "(20261202,5151)")]
    public void FewRows_MatchTheMicroKernelBitForBit(FewRowsCase few)
    {
        GemmCase t = few.Case;
        var data = new GemmData(t);
        using var workspace = new GemmWorkspace();
        foreach (SimdPath path in GemmTests.Paths)
        {
            using var packed = new PackedMatrix(t.K, t.N, path);
            packed.Pack(data.B, data.Ldb, t.TransB);

            float[] tiled = data.InitialC();
            Gemm.Multiply(t.M, data.A, data.Lda, t.TransA, packed, tiled, data.Ldc, t.Accumulate, workspace);

            // The first rows alone: row i of op(A) starts at i * lda, or at column i of the transposed storage.
            float[] rowByRow = data.InitialC();
            Gemm.Multiply(few.Rows, data.A, data.Lda, t.TransA, packed, rowByRow, data.Ldc, t.Accumulate, workspace);

            float[] initial = data.InitialC();
            for (int i = 0; i < rowByRow.Length; i++)
            {
                int row = i / data.Ldc, column = i % data.Ldc;
                bool written = row < few.Rows && column < t.N;
                int expected = BitConverter.SingleToInt32Bits(written ? tiled[i] : initial[i]);
                if (BitConverter.SingleToInt32Bits(rowByRow[i]) != expected)
                {
                    Assert.Fail($"{path}, {few}: [{row}, {column}] is {rowByRow[i]:R}, expected {BitConverter.Int32BitsToSingle(expected):R}{(written ? "" : " (outside C, must stay untouched)")}");
                }
            }
        }
    }

    /// <summary>The streaming step's shapes, lstm-128: the recurrent product, the input projection and the head.</summary>
    [Theory]
    [InlineData(128, 512)]
    [InlineData(28, 512)]
    [InlineData(128, 10)]
    public void StreamingStepShapes_MatchTheMicroKernelBitForBit(int k, int n) =>
        FewRows_MatchTheMicroKernelBitForBit(new FewRowsCase(new GemmCase(1 + FewRowsCases.FillerRows, n, k, 0, 0, 0, false, true, true, k * n), 1));
}
