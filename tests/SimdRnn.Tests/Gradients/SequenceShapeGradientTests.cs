using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Cells;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Gradients;

/// <summary>
/// Bidirectional layers, sequences of their own lengths and dropout between layers, over every cell: analytic
/// gradients equal central finite differences in double precision.
/// </summary>
public sealed class SequenceShapeGradientTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<string> Cells => CellGradientTests.Cells;

    [Theory]
    [MemberData(nameof(Cells))]
    public void Bidirectional_MatchesFiniteDifferences(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        Check.One(CellGradientTests.Reproducible("bidirectional-" + cell, maxTest: 6),
            Prop.ForAll(GradientCase.Small, c => Assert(entry, c, bidirectional: true, variableLengths: false, default)));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void VariableLengths_MatchFiniteDifferences(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        Check.One(CellGradientTests.Reproducible("lengths-" + cell, maxTest: 6),
            Prop.ForAll(GradientCase.Small, ArbMap.Default.ArbFor<bool>(), (c, bidirectional) => Assert(entry, c, bidirectional, variableLengths: true, default)));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("gru-tf")]
    public void FixedDropoutMask_MatchesFiniteDifferences(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        var twoLayers = Arb.From(GradientCase.Small.Generator.Select(c => c with { Layers = 2 }));
        Check.One(CellGradientTests.Reproducible("dropout-" + cell, maxTest: 6),
            Prop.ForAll(twoLayers, ArbMap.Default.ArbFor<bool>(), (c, bidirectional) =>
                Assert(entry, c, bidirectional, variableLengths: true, new Dropout(0.4f, Dropout.KeyOf(c.Seed, 1, 2, 3)))));
    }

    [Theory]
    [InlineData(HeadKind.Tag)]
    [InlineData(HeadKind.Regress)]
    [InlineData(HeadKind.RegressSteps)]
    public void EveryHead_WithLengthsAndBothDirections_MatchesFiniteDifferences(HeadKind head)
    {
        foreach (string name in new[] { "lstm", "gru" })
        {
            var entry = CellCatalog.Find(CellCatalog.BuiltIn, name)!;
            Check.One(CellGradientTests.Reproducible($"heads-{head}-{name}", maxTest: 5),
                Prop.ForAll(GradientCase.Small, ArbMap.Default.ArbFor<bool>(), (c, bidirectional) =>
                {
                    using var checker = new GradientChecker(entry, c, head, bidirectional: bidirectional, variableLengths: true);
                    string? violations = GradientChecker.Violations(checker.Compare(), Tolerance);
                    if (violations is not null) throw new Exception($"{name} {head} {c} bidirectional {bidirectional}: {violations}");
                }));
        }
    }

    [Fact]
    public void Checker_RejectsABidirectionalDerivativeWithADroppedFactor()
    {
        var broken = CellEntry.For<BrokenGruCell>();
        var failure = Xunit.Assert.ThrowsAny<Exception>(() => Check.One(CellGradientTests.Reproducible("broken-bidirectional", maxTest: 6),
            Prop.ForAll(GradientCase.Small, c => Assert(broken, c, bidirectional: true, variableLengths: true, default))));
        Xunit.Assert.Contains("_reverse", failure.Message);
    }

    private static void Assert(CellEntry cell, GradientCase c, bool bidirectional, bool variableLengths, Dropout dropout)
    {
        using var checker = new GradientChecker(cell, c, bidirectional: bidirectional, variableLengths: variableLengths, dropout: dropout);
        string? violations = GradientChecker.Violations(checker.Compare(), Tolerance);
        if (violations is not null) throw new Exception($"{cell.Info.Name} {c} bidirectional {bidirectional}, dropout {dropout.Probability}: {violations}");
    }
}
