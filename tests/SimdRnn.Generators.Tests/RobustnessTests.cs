using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SimdRnn.Generators.Expressions;
using SimdRnn.Generators.Model;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>
/// Whatever text a spec holds, the parser, the analyzer, the emitter and the generator as a whole answer with
/// diagnostics: they never throw (a generator exception is only a CS8785 warning, and the cell silently has no
/// code), never hang, and never overflow the stack (which would kill the compiler).
/// </summary>
public sealed class RobustnessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Every expression the built-in cells use, and a few more shapes: the seeds of the mutations.</summary>
    private static readonly string[] ValidExpressions =
    [
        "x_i + h_i",
        "f * c + i * g",
        "o * tanh(c)",
        "(1 - z) * n + z * h",
        "x_n + r * h_n",
        "x_o + h_o + p_o * c'",
        "-(a + b) * -c",
        "1e-3 * .5 + sigmoid(x_f + h_f) / 2",
        "hard_sigmoid(x_a) * relu(h_a - 0.5)",
        "r * h",
    ];

    /// <summary>The tokens a mutation inserts: the language's own pieces, so mutations get past the tokenizer.</summary>
    private static readonly string[] Pieces =
    [
        "(", ")", "+", "-", "*", "/", "'", ",", ".", "e", "E", "1", "0.5", "1e308", "1e-400", "9999999999999999999999",
        "x_i", "h_i", "c", "c'", "h", "tanh(", "sigmoid(", "exp(", "log(", "relu(", "step(", " ", "_", "é", "\u0000", "\uD800",
    ];

    private static Arbitrary<string> MutatedExpressions { get; } = Gen.OneOf(
            Gen.Elements(ValidExpressions),
            Gen.Elements(ValidExpressions).SelectMany(seed => Mutations().Select(mutate => mutate(seed))))
        .ToArbitrary();

    [Property(MaxTest = 1000)]
    public void Parser_RandomString_ReturnsATreeOrAnError(string? text) => CheckParse(text ?? "");

    [Property(MaxTest = 1000)]
    public Property Parser_MutatedExpression_ReturnsATreeOrAnError() =>
        Prop.ForAll(MutatedExpressions, CheckParse);

    [Property(MaxTest = 300)]
    public Property AnalyzerAndEmitter_MutatedCell_ReportErrorsOrEmit() =>
        Prop.ForAll(MutatedExpressions, Gen.Choose(0, 5).ToArbitrary(), (text, slot) => CheckAnalyze(Lstm(slot, text)));

    [Property(MaxTest = 300)]
    public void AnalyzerAndEmitter_RandomStringCell_ReportErrorsOrEmit(string? text, byte slot, string? gateName) =>
        CheckAnalyze(Lstm(slot % 6, text ?? "", gateName ?? ""));

    [Property(MaxTest = 40)]
    public Property Generator_MutatedSpec_NeverFails() =>
        Prop.ForAll(MutatedExpressions, MutatedExpressions, (preActivation, output) => CheckGenerator(preActivation, output));

    [Theory]
    [InlineData("nested parentheses")]
    [InlineData("nested calls")]
    [InlineData("repeated minus")]
    [InlineData("long sum")]
    [InlineData("long product")]
    public void Parser_PathologicalDepth_ReturnsAnErrorOrATree(string shape)
    {
        string text = Pathological(shape, 100_000);
        CheckParse(text);
        CheckAnalyze(Lstm(5, text));
    }

    /// <summary>The largest expressions the limits accept still go through the analyzer and the emitter.</summary>
    [Theory]
    [InlineData("nested parentheses", ExpressionParser.MaxNesting)]
    [InlineData("nested calls", ExpressionParser.MaxNesting)]
    [InlineData("repeated minus", ExpressionParser.MaxNesting)]
    [InlineData("long sum", (ExpressionParser.MaxTokens + 1) / 2)]
    [InlineData("long product", (ExpressionParser.MaxTokens + 1) / 2)]
    public void AnalyzerAndEmitter_LargestAcceptedExpression_Emits(string shape, int n)
    {
        string text = Pathological(shape, n, "c");
        Assert.NotNull(ExpressionParser.Parse(text, out _));
        Assert.Null(ExpressionParser.Parse(Pathological(shape, n + 1), out _));
        CheckAnalyze(Lstm(5, text), expectModel: true);
    }

    [Theory]
    [InlineData("nested parentheses")]
    [InlineData("long sum")]
    public void Generator_PathologicalDepth_NeverFails(string shape) => CheckGenerator("x_i + h_i", Pathological(shape, 20_000, "c"));

    private static string Pathological(string shape, int n, string operand = "a") => shape switch
    {
        "nested parentheses" => new string('(', n) + operand + new string(')', n),
        "nested calls" => string.Concat(Enumerable.Repeat("tanh(", n)) + operand + new string(')', n),
        "repeated minus" => new string('-', n) + operand,
        "long sum" => string.Join(" + ", Enumerable.Repeat(operand, n)),
        "long product" => string.Join(" * ", Enumerable.Repeat(operand, n)),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    private static IEnumerable<Gen<Func<string, string>>> MutationGens()
    {
        var position = Gen.Choose(0, 1000);
        yield return position.Select<int, Func<string, string>>(p => s => s.Length == 0 ? s : s.Remove(p % s.Length, 1));
        yield return position.SelectMany(p => Gen.Elements(Pieces), (p, piece) => (Func<string, string>)(s => s.Insert(p % (s.Length + 1), piece)));
        yield return position.SelectMany(p => ArbMap.Default.GeneratorFor<char>(), (p, c) => (Func<string, string>)(s => s.Length == 0 ? s : s.Remove(p % s.Length, 1).Insert(p % s.Length, c.ToString())));
        yield return position.Select<int, Func<string, string>>(p => s => s[..(p % (s.Length + 1))]);
    }

    /// <summary>One to eight mutations applied in turn.</summary>
    private static Gen<Func<string, string>> Mutations() =>
        Gen.OneOf(MutationGens()).ListOf().Where(list => list.Count is > 0 and <= 8)
            .Select<List<Func<string, string>>, Func<string, string>>(list => s => list.Aggregate(s, (text, mutate) => mutate(text)));

    /// <summary>PyTorch's LSTM with <paramref name="text"/> in one slot: 0-3 a gate's pre-activation, 4 the state, 5 the output.</summary>
    private static CellSpec Lstm(int slot, string text, string? renamedGate = null)
    {
        string[] names = ["i", "f", "g", "o"];
        if (renamedGate is not null)
        {
            names[slot % 4] = renamedGate;
        }

        var gates = names.Select((name, k) => new GateSpec(
            name,
            k == 2 ? ActivationKind.Tanh : ActivationKind.Sigmoid,
            slot == k ? text : $"x_{name} + h_{name}",
            0f,
            null));
        return new CellSpec(
            "Robustness",
            EquatableArray<ContainingType>.Empty,
            "FuzzCell",
            "fuzz",
            "",
            gates.ToEquatableArray(),
            new[] { new StateSpec("c", slot == 4 ? text : $"{names[1]} * c + {names[0]} * {names[2]}") }.ToEquatableArray(),
            EquatableArray<ParameterSpec>.Empty,
            "h",
            slot == 5 ? text : $"{names[3]} * tanh(c)");
    }

    private static void CheckParse(string text) => Within($"parsing {Describe(text)}", () =>
    {
        var expr = ExpressionParser.Parse(text, out var error);
        Assert.True((expr is null) != (error is null), $"{Describe(text)}: expected a tree or an error, not both or neither");
        if (error is not null)
        {
            Assert.InRange(error.Offset, 0, text.Length);
            Assert.InRange(error.Offset + error.Length, error.Offset, text.Length);
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
        else
        {
            string canonical = ExpressionPrinter.Print(expr!);
            Assert.Equal(canonical, ExpressionPrinter.Print(ExpressionParser.Parse(canonical, out _)!));
        }
    });

    private static void CheckAnalyze(CellSpec spec, bool expectModel = false) => Within($"analyzing {Describe(spec.Output)}", () =>
    {
        var errors = new List<SpecError>();
        var model = CellAnalyzer.Analyze(spec, errors);
        Assert.True((model is null) == (errors.Count > 0), "expected a model or errors");
        Assert.True(model is not null || !expectModel, "expected a model, found " + string.Join(", ", errors.Select(e => e.Id)));
        if (model is not null)
        {
            Assert.Contains("partial class FuzzCell", CellGenerator.Emitter.EmitCell(CellGenerator.Lowering.Lower(spec)));
        }
    });

    private static void CheckGenerator(string preActivation, string output) => Within("running the generator", () =>
    {
        string source = $$"""
            using SimdRnn.Cells;

            namespace Robustness;

            [RecurrentCell("fuzz")]
            [Gate("a", Activation.Sigmoid, PreActivation = {{Literal(preActivation)}})]
            [Gate("b", Activation.Tanh)]
            [State("c", "a * c + b")]
            [Output("h", {{Literal(output)}})]
            public sealed partial class FuzzCell;
            """;
        var (result, compilation) = GeneratorHarness.Run(source);
        Assert.Null(result.Exception);
        var failures = compilation.GetDiagnostics().Concat(result.Diagnostics).Where(d => d.Id == "CS8785").ToArray();
        Assert.True(failures.Length == 0, string.Join("; ", failures.Select(d => d.GetMessage())));
    });

    private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

    private static string Describe(string text) =>
        text.Length <= 80 ? Literal(text) : $"{Literal(text[..80])}... ({text.Length} characters)";

    /// <summary>Runs on a thread with the default 1.5 MB stack of a pool thread, as the compiler's would be, and gives up after <see cref="Patience"/>.</summary>
    private static void Within(string what, Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 1536 * 1024);
        thread.Start();
        Assert.True(thread.Join(Patience), $"{what} did not finish within {Patience}");
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException($"{what} threw {failure.GetType().Name}: {failure.Message}\n{failure.StackTrace}");
        }
    }
}
