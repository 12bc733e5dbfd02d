using System.Collections.Generic;
using System.Linq;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators.Expressions;

/// <summary>Where an expression stands, which decides what a state's plain name means.</summary>
internal enum ExpressionContext
{
    PreActivation,
    StateUpdate,
    RecurrentInput,
    Output,
}

/// <summary>A name-resolution error at a range of the expression.</summary>
internal sealed record ResolveError(string Id, TextRange Range, string[] Args);

/// <summary>
/// Resolves the names of an expression. A state <c>c</c> is its previous value, except in the output, where it
/// is the new one; <c>c'</c> is always the new value; the output's name is always the previous output.
/// </summary>
internal sealed class NameResolver
{
    private static readonly Dictionary<string, Function> Functions = new()
    {
        ["sigmoid"] = Function.Sigmoid,
        ["tanh"] = Function.Tanh,
        ["relu"] = Function.Relu,
        ["hard_sigmoid"] = Function.HardSigmoid,
        ["exp"] = Function.Exp,
    };

    /// <summary>Functions that exist but have no useful derivative, with what to use instead.</summary>
    private static readonly Dictionary<string, string> NotDifferentiable = new()
    {
        ["floor"] = "the value itself, or relu(e) for a one-sided cut",
        ["round"] = "the value itself",
        ["sign"] = "tanh(e) (a smooth sign)",
        ["abs"] = "relu(e) + relu(-e)",
        ["step"] = "sigmoid(e) or hard_sigmoid(e) (a smooth step)",
    };

    private readonly Dictionary<string, BoundRef> names = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, int> states = new(System.StringComparer.Ordinal);

    public NameResolver(CellSpec spec)
    {
        for (int k = 0; k < spec.Gates.Count; k++)
        {
            var gate = spec.Gates[k].Name;
            TryAdd(gate, new BoundRef(RefKind.Gate, k));
            TryAdd("x_" + gate, new BoundRef(RefKind.XProjection, k));
            TryAdd("h_" + gate, new BoundRef(RefKind.HProjection, k));
        }

        for (int s = 0; s < spec.States.Count; s++)
        {
            TryAdd(spec.States[s].Name, new BoundRef(RefKind.StatePrevious, s));
            if (!states.ContainsKey(spec.States[s].Name))
            {
                states.Add(spec.States[s].Name, s);
            }
        }

        for (int p = 0; p < spec.Parameters.Count; p++)
        {
            TryAdd(spec.Parameters[p].Name, new BoundRef(RefKind.Parameter, p));
        }

        if (spec.OutputName.Length > 0)
        {
            TryAdd(spec.OutputName, new BoundRef(RefKind.OutputPrevious, 0));
        }
    }

    /// <summary>The names an expression may use, for messages.</summary>
    public string AvailableNames =>
        string.Join(", ", names.Keys.Concat(states.Keys.Select(s => s + "'")).OrderBy(n => n, System.StringComparer.Ordinal));

    public Bound? Resolve(Expr expr, ExpressionContext context, List<ResolveError> errors) => expr switch
    {
        NumberExpr number => new BoundConstant(number.Value),
        NameExpr name => ResolveName(name, context, errors),
        NegateExpr negate => Resolve(negate.Operand, context, errors) is { } operand ? new BoundNegate(operand) : null,
        BinaryExpr binary => Combine(Resolve(binary.Left, context, errors), Resolve(binary.Right, context, errors), binary.Operator),
        CallExpr call => ResolveCall(call, context, errors),
        _ => null,
    };

    private static Bound? Combine(Bound? left, Bound? right, char op) =>
        left is null || right is null ? null : new BoundBinary(op, left, right);

    private Bound? ResolveCall(CallExpr call, ExpressionContext context, List<ResolveError> errors)
    {
        var argument = Resolve(call.Argument, context, errors);
        if (Functions.TryGetValue(call.Function, out var function))
        {
            return argument is null ? null : new BoundCall(function, argument);
        }

        if (NotDifferentiable.TryGetValue(call.Function, out var instead))
        {
            errors.Add(new ResolveError(DiagnosticDescriptors.NotDifferentiable.Id, call.NameRange, [call.Function, instead]));
        }
        else
        {
            errors.Add(new ResolveError(DiagnosticDescriptors.UnknownFunction.Id, call.NameRange, [call.Function]));
        }

        return null;
    }

    private Bound? ResolveName(NameExpr name, ExpressionContext context, List<ResolveError> errors)
    {
        if (name.Prime)
        {
            if (states.TryGetValue(name.Name, out int state))
            {
                return new BoundRef(RefKind.StateNew, state);
            }
        }
        else if (names.TryGetValue(name.Name, out var resolved))
        {
            return resolved.Kind == RefKind.StatePrevious && context == ExpressionContext.Output
                ? resolved with { Kind = RefKind.StateNew }
                : resolved;
        }

        var written = name.Prime ? name.Name + "'" : name.Name;
        errors.Add(new ResolveError(DiagnosticDescriptors.UnknownName.Id, name.Range, [written, Describe(context), AvailableNames]));
        return null;
    }

    private static string Describe(ExpressionContext context) => context switch
    {
        ExpressionContext.PreActivation => "a pre-activation",
        ExpressionContext.StateUpdate => "a state update",
        ExpressionContext.RecurrentInput => "a recurrent input",
        _ => "the output",
    };

    private void TryAdd(string name, BoundRef reference)
    {
        // Duplicates are reported by the analyzer; the first declaration wins here.
        if (!names.ContainsKey(name))
        {
            names.Add(name, reference);
        }
    }
}
