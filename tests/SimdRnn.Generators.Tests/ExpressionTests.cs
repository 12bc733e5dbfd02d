using SimdRnn.Generators.Expressions;
using SimdRnn.Generators.Model;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>The expression language on its own: parsing, canonical printing, the spec hash, the DAG.</summary>
public class ExpressionTests
{
    [Theory]
    [InlineData("x_i+h_i", "x_i + h_i")]
    [InlineData("(1 - z) * n + z * h", "(1 - z) * n + z * h")]
    [InlineData("((a * b)) * c", "a * b * c")]
    [InlineData("a * (b * c)", "a * (b * c)")]
    [InlineData("a - (b - c)", "a - (b - c)")]
    [InlineData("a - (b + c)", "a - (b + c)")]
    [InlineData("-(a + b) * -c", "-(a + b) * -c")]
    [InlineData("x_o + h_o + p_o * c'", "x_o + h_o + p_o * c'")]
    [InlineData("tanh( c )", "tanh(c)")]
    [InlineData("1e-3 * .5", "0.001 * 0.5")]
    public void Parse_ThenPrint_IsCanonical(string text, string canonical)
    {
        var expr = ExpressionParser.Parse(text, out var error);
        Assert.True(expr is not null, $"'{text}': {error?.Message}");
        Assert.Equal(canonical, ExpressionPrinter.Print(expr));
        Assert.Equal(canonical, ExpressionPrinter.Print(ExpressionParser.Parse(canonical, out _)!));
    }

    [Theory]
    [InlineData("x_a + * h_a", 6)]
    [InlineData("tanh(c", 6)]
    [InlineData("a b", 2)]
    [InlineData("a # b", 2)]
    [InlineData("", 0)]
    [InlineData("2a", 0)]
    [InlineData("tanh(a, b)", 6)]
    public void Parse_ReportsTheOffendingColumn(string text, int offset)
    {
        Assert.Null(ExpressionParser.Parse(text, out var error));
        Assert.True(error is not null && error.Offset == offset, $"'{text}': expected offset {offset}, got {error?.Offset}: {error?.Message}");
    }

    [Theory]
    [InlineData("", "cbf29ce484222325")]
    [InlineData("a", "af63dc4c8601ec8c")]
    [InlineData("foobar", "85944171f73967e8")]
    public void SpecHash_IsFnv1a64(string text, string hash) => Assert.Equal(hash, CellGenerator.Lowering.SpecHash(text));

    [Fact]
    public void Dag_SharesEqualSubexpressions_AndFoldsNeutralOperands()
    {
        var dag = new Dag();
        int z = dag.Load(StepBuffer.Gates, 1);
        int oneMinusZ = dag.Subtract(dag.Constant(1), z);
        Assert.Equal(oneMinusZ, dag.Subtract(dag.Constant(1), dag.Load(StepBuffer.Gates, 1)));
        Assert.Equal(z, dag.Multiply(z, dag.Constant(1)));
        Assert.Equal(z, dag.Add(dag.Constant(0), z));
        Assert.Equal(z, dag.Negate(dag.Negate(z)));
        Assert.True(dag[dag.Multiply(z, dag.Constant(0))].IsConstant(0));
        Assert.True(dag[dag.Add(dag.Constant(2), dag.Constant(3))].IsConstant(5));
    }

    [Fact]
    public void Analyzer_OrdersByDependency_AndAssignsRecurrences()
    {
        var spec = new CellSpec("", EquatableArray<ContainingType>.Empty, "C", "c", "",
            new[]
            {
                new GateSpec("o", ActivationKind.Sigmoid, "x_o + p * c'", 0f, null),
                new GateSpec("r", ActivationKind.Sigmoid, "x_r + h_r", 0f, null),
                new GateSpec("n", ActivationKind.Tanh, "x_n + h_n", 0f, "r * h"),
            }.ToEquatableArray(),
            new[] { new StateSpec("c", "r * c + n") }.ToEquatableArray(),
            new[] { new ParameterSpec("p", 0f, 0f) }.ToEquatableArray(),
            "h",
            "o * tanh(c)");
        var errors = new List<SpecError>();
        var model = CellAnalyzer.Analyze(spec, errors);
        Assert.Empty(errors);
        Assert.NotNull(model);
        Assert.Equal(["r", "n", "c'", "o", "h"], model.ForwardOrder.Select(e => CellAnalyzer.DisplayName(spec, e)));
        Assert.Equal([RecurrenceKind.None, RecurrenceKind.Output, RecurrenceKind.Expression], model.Recurrences);
        Assert.Equal("r * h", model.RecurrentInputText);
    }
}
