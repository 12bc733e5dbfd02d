using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>When the generator lets training write the gates over the input projections (<c>CellInfo.GatesOverwriteXProj</c>).</summary>
public class InPlaceTests
{
    private static string Generated(string attributes)
    {
        var (result, _) = GeneratorHarness.Run($$"""
            using SimdRnn.Cells;

            namespace InPlace;

            [RecurrentCell("test")]
            {{attributes}}
            [Output("h", "o * tanh(a)")]
            public partial class TestCell;
            """);
        return result.GeneratedSources.Single(s => s.HintName == "InPlace.TestCell.g.cs").SourceText.ToString();
    }

    [Fact]
    public void EachGateFromItsOwnProjection_MayOverwriteIt()
    {
        var source = Generated("""[Gate("a", Activation.Tanh)] [Gate("o", Activation.Sigmoid)]""");
        Assert.Contains("GatesOverwriteXProj = true", source);
    }

    [Fact]
    public void AGateReadingAnEarlierGatesProjectionAlreadyLoaded_MayOverwriteIt()
    {
        // x_a is loaded for a and kept in a register for o.
        var source = Generated("""[Gate("a", Activation.Tanh)] [Gate("o", Activation.Sigmoid, PreActivation = "x_o + h_o + x_a * 0.5")]""");
        Assert.Contains("GatesOverwriteXProj = true", source);
    }

    [Fact]
    public void AGateFirstToLoadAnEarlierGatesProjection_MayNot()
    {
        // a does not read x_a, so o is first to load it: after a has been stored where x_a was.
        var source = Generated("""[Gate("a", Activation.Tanh, PreActivation = "h_a")] [Gate("o", Activation.Sigmoid, PreActivation = "x_o + h_o + x_a * 0.5")]""");
        Assert.Contains("GatesOverwriteXProj = false", source);
    }

    [Fact]
    public void ABackwardThatReadsTheProjections_MayNot()
    {
        // d(x_a * x_a)/dx_a = 2 x_a: backward reads XProj, which the gradients would have overwritten.
        var source = Generated("""[Gate("a", Activation.Tanh, PreActivation = "x_a * x_a + h_a")] [Gate("o", Activation.Sigmoid)]""");
        Assert.Contains("BackwardReadsXProj = true", source);
        Assert.Contains("GatesOverwriteXProj = false", source);
    }
}
