using FsCheck;
using FsCheck.Fluent;

namespace SimdRnn.Tests.Kernels;

/// <summary>One product to test: shape, padding of each leading dimension, flags, and the data seed.</summary>
public sealed record GemmCase(int M, int N, int K, int PadA, int PadB, int PadC, bool TransA, bool TransB, bool Accumulate, int Seed)
{
    public override string ToString() =>
        $"m={M} n={N} k={K} transA={TransA} transB={TransB} accumulate={Accumulate} pads=({PadA},{PadB},{PadC}) seed={Seed}";
}

/// <summary>A case whose shape crosses the blocking: k past KC, m past MC, n over several panels.</summary>
public sealed record BlockedGemmCase(GemmCase Case)
{
    public override string ToString() => Case.ToString();
}

public static class GemmCases
{
    public static Arbitrary<GemmCase> Small() =>
        Cases(Dimension(70), Dimension(70), Dimension(70)).ToArbitrary();

    public static Arbitrary<BlockedGemmCase> Blocked() =>
        Cases(Gen.Choose(1, 300), Gen.Choose(1, 90), Gen.Choose(200, 600)).Select(c => new BlockedGemmCase(c)).ToArbitrary();

    /// <summary>0 and 1 often, otherwise anything up to max (odd sizes included).</summary>
    private static Gen<int> Dimension(int max) =>
        Gen.Frequency((1, Gen.Elements(0, 1)), (4, Gen.Choose(1, max)));

    private static Gen<GemmCase> Cases(Gen<int> m, Gen<int> n, Gen<int> k) =>
        from rows in m
        from columns in n
        from depth in k
        from pads in Gen.Choose(0, 3).Three()
        from transA in Gen.Elements(false, true)
        from transB in Gen.Elements(false, true)
        from accumulate in Gen.Elements(false, true)
        from seed in Gen.Choose(0, int.MaxValue)
        select new GemmCase(rows, columns, depth, pads.Item1, pads.Item2, pads.Item3, transA, transB, accumulate, seed);
}
