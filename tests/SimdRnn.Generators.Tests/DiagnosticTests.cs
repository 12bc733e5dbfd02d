using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>One test per diagnostic: its id, its severity and that it points into the offending attribute argument.</summary>
public class DiagnosticTests
{
    private static string Cell(string attributes, string declaration = "public partial class TestCell;") => $$"""
        using SimdRnn.Cells;

        namespace Diagnostics;

        {{attributes}}
        {{declaration}}
        """;

    private const string Rnn = """
        [RecurrentCell("test")]
        [Gate("a", Activation.Tanh)]
        """;

    [Fact]
    public void SRNN0001_ClassNotPartial() =>
        AssertDiagnostic(Cell(Rnn + "\n[Output(\"h\", \"a\")]", "public class TestCell { }"), "SRNN0001", "\"test\"", "partial class TestCell");

    [Fact]
    public void SRNN0002_ParseError_PointsAtTheColumn() =>
        AssertDiagnostic(Cell("""
            [RecurrentCell("test")]
            [Gate("a", Activation.Tanh, PreActivation = "x_a + * h_a")]
            [Output("h", "a")]
            """), "SRNN0002", "*", "column 7");

    [Fact]
    public void SRNN0003_UnknownName() =>
        AssertDiagnostic(Cell(Rnn + "\n[Output(\"h\", \"a + q\")]"), "SRNN0003", "q", "x_a");

    [Fact]
    public void SRNN0004_UnknownFunction() =>
        AssertDiagnostic(Cell(Rnn + "\n[Output(\"h\", \"softplus(a)\")]"), "SRNN0004", "softplus", "hard_sigmoid");

    [Fact]
    public void SRNN0005_NotDifferentiable() =>
        AssertDiagnostic(Cell(Rnn + "\n[Output(\"h\", \"step(a)\")]"), "SRNN0005", "step", "sigmoid(e)");

    [Fact]
    public void SRNN0006_DuplicateName() =>
        AssertDiagnostic(Cell(Rnn + "\n[Gate(\"x_a\", Activation.Tanh)]\n[Output(\"h\", \"a\")]"), "SRNN0006", "\"x_a\"", "input projection of gate 'a'");

    [Fact]
    public void SRNN0007_DependencyCycle() =>
        AssertDiagnostic(Cell("""
            [RecurrentCell("test")]
            [Gate("a", Activation.Tanh, PreActivation = "x_a + b")]
            [Gate("b", Activation.Sigmoid, PreActivation = "x_b + a")]
            [Output("h", "a")]
            """), "SRNN0007", "\"x_a + b\"", "a -> b -> a");

    [Fact]
    public void SRNN0008_StateNeverUpdated() =>
        AssertDiagnostic(Cell(Rnn + "\n[State(\"c\", \"c\")]\n[Output(\"h\", \"a * c\")]"), "SRNN0008", "\"c\"", "never updated");

    [Fact]
    public void SRNN0008_StateNeverAffectsOutput() =>
        AssertDiagnostic(Cell(Rnn + "\n[State(\"c\", \"a * c\")]\n[Output(\"h\", \"a\")]"), "SRNN0008", "\"c\"", "never affects the output");

    [Fact]
    public void SRNN0009_NoOutput() =>
        AssertDiagnostic(Cell(Rnn), "SRNN0009", "\"test\"", "no [Output]");

    [Fact]
    public void SRNN0009_TwoOutputs() =>
        AssertDiagnostic(Cell(Rnn + "\n[Output(\"h\", \"a\")]\n[Output(\"y\", \"a\")]"), "SRNN0009", "\"y\"", "more than one [Output]");

    [Fact]
    public void SRNN0010_NoGates() =>
        AssertDiagnostic(Cell("[RecurrentCell(\"test\")]\n[Output(\"h\", \"h\")]"), "SRNN0010", "\"test\"", "Activation.Tanh");

    [Fact]
    public void SRNN0011_UnknownActivation() =>
        AssertDiagnostic(Cell("[RecurrentCell(\"test\")]\n[Gate(\"a\", (Activation)42)]\n[Output(\"h\", \"a\")]"), "SRNN0011", "(Activation)42", "Activation.Sigmoid");

    [Fact]
    public void SRNN0012_DifferentRecurrentInputs() =>
        AssertDiagnostic(Cell("""
            [RecurrentCell("test")]
            [Gate("r", Activation.Sigmoid)]
            [Gate("n", Activation.Tanh, RecurrentInput = "r * h")]
            [Gate("m", Activation.Tanh, RecurrentInput = "h * r")]
            [Output("h", "n + m")]
            """), "SRNN0012", "\"h * r\"", "same expression");

    [Fact]
    public void SRNN0013_DuplicateCellName() =>
        AssertDiagnostic(
            Cell(Rnn + "\n[Output(\"h\", \"a\")]") + "\n" + Cell(Rnn + "\n[Output(\"h\", \"a\")]", "public partial class OtherCell;").Replace("using SimdRnn.Cells;", "").Replace("namespace Diagnostics;", ""),
            "SRNN0013", "\"test\"", "unique name");

    [Fact]
    public void SRNN0014_InvalidCellName() =>
        AssertDiagnostic(Cell("[RecurrentCell(\"My Cell\")]\n[Gate(\"a\", Activation.Tanh)]\n[Output(\"h\", \"a\")]"), "SRNN0014", "\"My Cell\"", "my-lstm");

    [Fact]
    public void SRNN0015_InvalidName() =>
        AssertDiagnostic(Cell("[RecurrentCell(\"test\")]\n[Gate(\"my gate\", Activation.Tanh)]\n[Output(\"h\", \"x_a\")]"), "SRNN0015", "\"my gate\"", "letter or '_'");

    [Fact]
    public void SRNN0016_GenericClass() =>
        AssertDiagnostic(Cell(Rnn + "\n[Output(\"h\", \"a\")]", "public partial class TestCell<T>;"), "SRNN0016", "\"test\"", "'TestCell<T>' is generic");

    [Fact]
    public void SRNN0016_InsideGenericClass() =>
        AssertDiagnostic(
            Cell(Rnn + "\n[Output(\"h\", \"a\")]", "public partial class TestCell;").Replace("[RecurrentCell", "public partial class Outer<T>\n{\n[RecurrentCell") + "\n}",
            "SRNN0016", "\"test\"", "'Outer<T>' is generic");

    [Fact]
    public void ErrorsInSeveralExpressions_AreAllReported()
    {
        var (result, _) = GeneratorHarness.Run(Cell("""
            [RecurrentCell("test")]
            [Gate("a", Activation.Tanh, PreActivation = "x_a + q")]
            [Output("h", "a + (")]
            """));
        Assert.Contains(result.Diagnostics, d => d.Id == "SRNN0003");
        Assert.Contains(result.Diagnostics, d => d.Id == "SRNN0002");
    }

    private static void AssertDiagnostic(string source, string id, string locatedText, string messagePart)
    {
        var (result, output) = GeneratorHarness.Run(source);
        var diagnostic = result.Diagnostics.FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic is not null, $"{id} not reported; reported: {string.Join("; ", result.Diagnostics)}");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.True(diagnostic.GetMessage().Contains(messagePart, StringComparison.Ordinal), $"{id}: message '{diagnostic.GetMessage()}' lacks '{messagePart}'");

        // The generator reports file + span locations (it keeps no Location in its model); find the tree by path.
        var path = diagnostic.Location.GetLineSpan().Path;
        var tree = output.SyntaxTrees.FirstOrDefault(t => t.FilePath == path);
        Assert.True(tree is not null, $"{id}: location '{diagnostic.Location}' is in no source file");
        var span = diagnostic.Location.SourceSpan;
        Assert.Equal(locatedText, tree.GetText().ToString(span));
        var node = tree.GetRoot().FindNode(span, getInnermostNodeForTie: true);
        Assert.True(node.AncestorsAndSelf().OfType<AttributeArgumentSyntax>().Any(), $"{id}: location '{node}' is not inside an attribute argument");

        Assert.True(result.GeneratedSources.All(s => s.HintName.StartsWith("SimdRnn.Generated.", StringComparison.Ordinal)),
            $"{id}: a cell with errors generated code");
    }
}
