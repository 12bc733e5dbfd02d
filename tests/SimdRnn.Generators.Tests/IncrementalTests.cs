using Microsoft.CodeAnalysis;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>The parsed spec is cached across edits that do not touch it.</summary>
public class IncrementalTests
{
    private const string Cell = """
        using SimdRnn.Cells;

        namespace Incremental;

        [RecurrentCell("tiny")]
        [Gate("a", Activation.Tanh)]
        [Output("h", "a")]
        public partial class TinyCell;
        """;

    [Fact]
    public void UnrelatedEdit_DoesNotRegenerate()
    {
        var cell = GeneratorHarness.Tree(Cell, "Cell.cs");
        var other = GeneratorHarness.Tree("class Other { }", "Other.cs");
        var compilation = GeneratorHarness.Compilation(cell, other);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(other, GeneratorHarness.Tree("class Other { int field; }", "Other.cs"));
        driver = driver.RunGenerators(edited);

        // The attribute transform reruns on a new compilation (it needs a semantic model) but yields an equal spec,
        // so nothing downstream runs again.
        var outputs = CellSpecOutputs(driver);
        Assert.NotEmpty(outputs);
        Assert.All(outputs, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"CellSpec step: {reason}"));
        var lowered = StepOutputs(driver, StepNames.Lowered);
        Assert.NotEmpty(lowered);
        Assert.All(lowered, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Lowered step: {reason}"));
        var sourceOutputs = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs).ToList();
        Assert.NotEmpty(sourceOutputs);
        Assert.All(sourceOutputs, output => Assert.True(output.Reason == IncrementalStepRunReason.Cached, $"source output: {output.Reason}"));
    }

    [Fact]
    public void GateChange_Regenerates()
    {
        var cell = GeneratorHarness.Tree(Cell, "Cell.cs");
        var compilation = GeneratorHarness.Compilation(cell);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(cell, GeneratorHarness.Tree(Cell.Replace("Activation.Tanh", "Activation.Relu"), "Cell.cs"));
        driver = driver.RunGenerators(edited);

        Assert.Equal([IncrementalStepRunReason.Modified], CellSpecOutputs(driver));
        Assert.Equal([IncrementalStepRunReason.Modified], StepOutputs(driver, StepNames.Lowered));
        var generated = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Incremental.TinyCell.g.cs");
        Assert.Contains("TLanes.Relu(x_a + h_a)", generated.SourceText.ToString());
    }

    private static List<IncrementalStepRunReason> CellSpecOutputs(GeneratorDriver driver) => StepOutputs(driver, StepNames.CellSpec);

    private static List<IncrementalStepRunReason> StepOutputs(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step]
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToList();
}
