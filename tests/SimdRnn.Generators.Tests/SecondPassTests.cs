using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>
/// When the generated forward step runs in two loops over the elements, the second reading back what the first
/// stored (LoweredMethod.SecondPass). The numeric tests run the built-in cells that get one.
/// </summary>
public class SecondPassTests
{
    private const string SecondLoop = "// The rest in a loop of its own";

    private static string Generated(string attributes)
    {
        var (result, _) = GeneratorHarness.Run($$"""
            using SimdRnn.Cells;

            namespace SecondPass;

            [RecurrentCell("test")]
            {{attributes}}
            public partial class TestCell;
            """);
        return result.GeneratedSources.Single(s => s.HintName == "SecondPass.TestCell.g.cs").SourceText.ToString();
    }

    [Fact]
    public void AnOutputWithAnActivationOfItsOwn_GetsASecondLoopThatReadsTheGatesBack()
    {
        var source = Generated("""[Gate("a", Activation.Tanh)] [Gate("o", Activation.Sigmoid)] [Output("h", "o * tanh(a)")]""");
        Assert.Contains(SecondLoop, source);
        var second = source[source.IndexOf(SecondLoop, StringComparison.Ordinal)..];
        Assert.Contains("var o = TLanes.Load(in global::System.Runtime.CompilerServices.Unsafe.Add(ref gates, H + j));", second);
        Assert.DoesNotContain("ref xProj,", second[..second.IndexOf("public static void", StringComparison.Ordinal)]);
    }

    [Fact]
    public void AGateTakingAnEarlierGate_StartsTheSecondLoop()
    {
        // GRU's shape: n takes r; the second loop loads n's own projection, which the first loop has not overwritten.
        var source = Generated("""[Gate("r", Activation.Sigmoid)] [Gate("z", Activation.Sigmoid)] [Gate("n", Activation.Tanh, PreActivation = "x_n + r * h_n")] [Output("h", "(1 - z) * n + z * h")]""");
        var second = source[source.IndexOf(SecondLoop, StringComparison.Ordinal)..];
        Assert.Contains("// n = tanh(x_n + r * h_n)", second);
        Assert.Contains("ref xProj, 2 * H + j", second);
    }

    [Fact]
    public void OnlyCheapWorkAfterTheGates_StaysInOneLoop()
    {
        // The output mixes gates without an activation of its own: too little for a second pass over them.
        var source = Generated("""[Gate("z", Activation.Sigmoid)] [Gate("n", Activation.Tanh)] [Output("h", "(1 - z) * n + z * h")]""");
        Assert.DoesNotContain(SecondLoop, source);
    }

    [Fact]
    public void AnOutputReadingAnInputProjection_StaysInOneLoop()
    {
        // The gates may have been written over x_a by the time a second loop would load it.
        var source = Generated("""[Gate("a", Activation.Tanh)] [Gate("o", Activation.Sigmoid)] [Output("h", "o * tanh(a + x_a)")]""");
        Assert.DoesNotContain(SecondLoop, source);
    }

    [Fact]
    public void AnOutputSharingAnUnstoredValueWithAGate_StaysInOneLoop()
    {
        // h_a * 2 is part of a's pre-activation and of the output, and nothing stores it for a second loop to read.
        var source = Generated("""[Gate("a", Activation.Tanh, PreActivation = "x_a + h_a * 2")] [Gate("o", Activation.Sigmoid)] [Output("h", "o * tanh(h_a * 2)")]""");
        Assert.DoesNotContain(SecondLoop, source);
    }
}
