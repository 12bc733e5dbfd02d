using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Cells;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Gradients;

/// <summary>
/// Every head and its loss over every cell in the registry: the analytic gradients of the whole model (layers, the
/// head over the last step or every step, cross-entropy or squared error) equal central finite differences of a
/// loss computed independently, in double precision. Classification over the last step is also in
/// <see cref="CellGradientTests"/>.
/// </summary>
public sealed class HeadGradientTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<string, HeadKind> CellsAndHeads
    {
        get
        {
            var data = new TheoryData<string, HeadKind>();
            foreach (var cell in CellCatalog.BuiltIn)
            {
                foreach (var kind in new[] { HeadKind.Tag, HeadKind.Regress, HeadKind.RegressSteps }) data.Add(cell.Info.Name, kind);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CellsAndHeads))]
    public void Gradient_MatchesFiniteDifferences(string cell, HeadKind head)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        Check.One(CellGradientTests.Reproducible($"{cell}/{head}", maxTest: 6), Prop.ForAll(GradientCase.Small, c => AssertGradients(entry, c, head)));
    }

    [Theory]
    [InlineData(HeadKind.Regress)]
    [InlineData(HeadKind.RegressSteps)]
    public void GradientChecker_RejectsALossTheEngineDoesNotDifferentiate(HeadKind head)
    {
        // An absolute error where the engine trains with the squared error: the property must find the disagreement.
        var lstm = CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!;
        var failure = Assert.ThrowsAny<Exception>(() => Check.One(CellGradientTests.Reproducible($"broken/{head}", maxTest: 6),
            Prop.ForAll(GradientCase.Small, c =>
            {
                using var checker = new GradientChecker(lstm, c, head, brokenLoss: (_, y, t) => Math.Abs(y - t));
                string? violations = GradientChecker.Violations(checker.Compare(), Tolerance);
                if (violations is not null) throw new Exception($"{c}: {violations}");
            })));

        Assert.Contains("FAILS", failure.Message);
        Assert.Contains("fc.weight", failure.Message);
    }

    private static void AssertGradients(CellEntry cell, GradientCase c, HeadKind head)
    {
        using var checker = new GradientChecker(cell, c, head);
        string? violations = GradientChecker.Violations(checker.Compare(), Tolerance);
        if (violations is not null) throw new Exception($"{cell.Info.Name} {head} {c}: {violations}");
    }
}
