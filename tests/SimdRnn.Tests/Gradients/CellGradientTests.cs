using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Cells;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Gradients;

/// <summary>
/// Every cell in the generated registry, so a new cell is covered with no new test: analytic gradients of
/// the whole model (layers, head, softmax cross-entropy) with respect to parameters, inputs and initial
/// states equal central finite differences in double precision.
/// </summary>
public sealed class CellGradientTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<string> Cells => new(CellCatalog.BuiltIn.Select(cell => cell.Info.Name));

    [Theory]
    [MemberData(nameof(Cells))]
    public void Gradient_MatchesFiniteDifferences(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        Check.One(Reproducible(cell, maxTest: 12), Prop.ForAll(GradientCase.Small, c => AssertGradients(entry, c)));
    }

    [Fact]
    public void GradientChecker_RejectsADerivativeWithADroppedFactor()
    {
        var broken = CellEntry.For<BrokenGruCell>();
        var failure = Assert.ThrowsAny<Exception>(() =>
            Check.One(Reproducible("broken", maxTest: 12), Prop.ForAll(GradientCase.Small, c => AssertGradients(broken, c))));

        // The report names the tensors that disagree, with the shrunk case.
        Assert.Contains("FAILS", failure.Message);
        Assert.Contains("GradientCase", failure.Message);
    }

    internal static void AssertGradients(CellEntry cell, GradientCase c)
    {
        using var checker = new GradientChecker(cell, c);
        string? violations = GradientChecker.Violations(checker.Compare(), Tolerance);
        if (violations is not null) throw new Exception($"{cell.Info.Name} {c}: {violations}");
    }

    /// <summary>A fixed seed per property, so every run checks the same cases and a failure replays.</summary>
    internal static Config Reproducible(string name, int maxTest)
    {
        ulong seed = 1469598103934665603UL;
        foreach (char ch in name) seed = (seed ^ ch) * 1099511628211UL;
        return Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithReplay(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL), null));
    }
}
