using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators.Expressions;

/// <summary>Which declaration an error belongs to.</summary>
internal enum DeclarationKind
{
    Cell,
    Gate,
    State,
    Parameter,
    Output,
}

/// <summary>Which argument of that declaration.</summary>
internal enum ArgumentKind
{
    Name,
    Activation,
    PreActivation,
    RecurrentInput,
    Expression,
}

/// <summary>An attribute argument: the target of an error.</summary>
internal readonly record struct SpecTarget(DeclarationKind Declaration, int Index, ArgumentKind Argument);

/// <summary>An error in a spec; <see cref="Range"/> is inside the argument's string, or null for the whole argument.</summary>
internal sealed record SpecError(string Id, SpecTarget Target, TextRange? Range, string[] Args);

/// <summary>A node of the step's dependency graph: what is computed once per step.</summary>
internal readonly record struct Entity(EntityKind Kind, int Index);

internal enum EntityKind
{
    Gate,
    State,
    Output,
    RecurrentInput,
}

/// <summary>How a gate's <c>h_k</c> is formed; mirrors <c>SimdRnn.Cells.Recurrence</c>.</summary>
internal enum RecurrenceKind
{
    None,
    Output,
    Expression,
}

/// <summary>
/// A checked cell: resolved expressions, recurrences and the order of evaluation. Transient (rebuilt from the
/// <see cref="CellSpec"/> by whoever needs it), never held by the pipeline.
/// </summary>
internal sealed record CellModel
{
    public required CellSpec Spec { get; init; }

    public required Bound[] PreActivations { get; init; }

    public required string[] PreActivationTexts { get; init; }

    public required Bound[] Updates { get; init; }

    public required string[] UpdateTexts { get; init; }

    public required Bound Output { get; init; }

    public required string OutputText { get; init; }

    public required Bound? RecurrentInput { get; init; }

    public required string? RecurrentInputText { get; init; }

    public required RecurrenceKind[] Recurrences { get; init; }

    /// <summary>m: the gate's place among the gates of its recurrence kind.</summary>
    public required int[] ProjectionIndices { get; init; }

    /// <summary>Gates, states and the output in an order where everything comes after what it reads.</summary>
    public required Entity[] ForwardOrder { get; init; }
}

/// <summary>Checks a <see cref="CellSpec"/> and resolves it into a <see cref="CellModel"/>; the generator's semantics live here.</summary>
internal static class CellAnalyzer
{
    private static readonly Regex Identifier = new("^[A-Za-z_][A-Za-z0-9_]*$");
    private static readonly Regex CellName = new("^[a-z0-9]+(-[a-z0-9]+)*$");

    public static CellModel? Analyze(CellSpec spec, List<SpecError> errors)
    {
        int errorsBefore = errors.Count;
        CheckNames(spec, errors);
        if (spec.Gates.Count == 0)
        {
            errors.Add(new SpecError(DiagnosticDescriptors.NoGates.Id, new SpecTarget(DeclarationKind.Cell, 0, ArgumentKind.Name), null, [spec.CellName]));
        }

        var resolver = new NameResolver(spec);
        int gateCount = spec.Gates.Count;
        var pre = new Bound?[gateCount];
        var preTexts = new string[gateCount];
        for (int k = 0; k < gateCount; k++)
        {
            var target = new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.PreActivation);
            (pre[k], preTexts[k]) = Bind(spec.Gates[k].PreActivation, target, ExpressionContext.PreActivation, resolver, errors);
        }

        var updates = new Bound?[spec.States.Count];
        var updateTexts = new string[spec.States.Count];
        for (int s = 0; s < spec.States.Count; s++)
        {
            var target = new SpecTarget(DeclarationKind.State, s, ArgumentKind.Expression);
            (updates[s], updateTexts[s]) = Bind(spec.States[s].Update, target, ExpressionContext.StateUpdate, resolver, errors);
        }

        // A cell without an [Output] is reported by whoever read the declaration; there is nothing to bind then.
        var (output, outputText) = spec.OutputName.Length == 0
            ? (null, "")
            : Bind(spec.Output, new SpecTarget(DeclarationKind.Output, 0, ArgumentKind.Expression), ExpressionContext.Output, resolver, errors);

        Bound? recurrentInput = null;
        string? recurrentInputText = null;
        int recurrentInputGate = -1;
        for (int k = 0; k < gateCount; k++)
        {
            var text = spec.Gates[k].RecurrentInput;
            if (text is null)
            {
                continue;
            }

            var target = new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.RecurrentInput);
            if (recurrentInputGate < 0)
            {
                recurrentInputGate = k;
                (recurrentInput, recurrentInputText) = Bind(text, target, ExpressionContext.RecurrentInput, resolver, errors);
                recurrentInputText ??= text;
                continue;
            }

            var canonical = ExpressionParser.Parse(text, out _) is { } expr ? ExpressionPrinter.Print(expr) : text;
            if (canonical != recurrentInputText)
            {
                var first = spec.Gates[recurrentInputGate];
                errors.Add(new SpecError(DiagnosticDescriptors.ConflictingRecurrentInput.Id, target, null, [spec.Gates[k].Name, text, first.Name, first.RecurrentInput!]));
            }
        }

        if (errors.Count > errorsBefore || output is null || pre.Any(p => p is null) || updates.Any(u => u is null) || (recurrentInputGate >= 0 && recurrentInput is null))
        {
            return null;
        }

        var allExpressions = pre.Concat(updates).Append(output).Concat(recurrentInput is null ? [] : [recurrentInput]).Select(b => b!).ToArray();
        var recurrences = new RecurrenceKind[gateCount];
        var indices = new int[gateCount];
        int outputGates = 0;
        int expressionGates = 0;
        for (int k = 0; k < gateCount; k++)
        {
            bool used = allExpressions.Any(e => References(e).Any(r => r.Kind == RefKind.HProjection && r.Index == k));
            recurrences[k] = !used ? RecurrenceKind.None : spec.Gates[k].RecurrentInput is null ? RecurrenceKind.Output : RecurrenceKind.Expression;
            indices[k] = recurrences[k] switch
            {
                RecurrenceKind.Output => outputGates++,
                RecurrenceKind.Expression => expressionGates++,
                _ => -1,
            };
        }

        // A recurrent input no gate projects (its gates never use h_k) would only cost a wasted stage.
        if (expressionGates == 0)
        {
            recurrentInput = null;
            recurrentInputGate = -1;
        }

        var model = new CellModel
        {
            Spec = spec,
            PreActivations = pre!,
            PreActivationTexts = preTexts,
            Updates = updates!,
            UpdateTexts = updateTexts,
            Output = output,
            OutputText = outputText,
            RecurrentInput = recurrentInput,
            RecurrentInputText = recurrentInput is null ? null : recurrentInputText,
            Recurrences = recurrences,
            ProjectionIndices = indices,
            ForwardOrder = [],
        };

        if (FindCycle(model, recurrentInputGate, errors))
        {
            return null;
        }

        CheckStates(model, errors);
        if (errors.Count > errorsBefore)
        {
            return null;
        }

        return model with { ForwardOrder = TopologicalOrder(model) };
    }

    /// <summary>Every name reference of a resolved expression, left to right.</summary>
    public static IEnumerable<BoundRef> References(Bound bound) => bound switch
    {
        BoundRef reference => [reference],
        BoundNegate negate => References(negate.Operand),
        BoundBinary binary => References(binary.Left).Concat(References(binary.Right)),
        BoundCall call => References(call.Argument),
        _ => [],
    };

    /// <summary>The expression an entity computes.</summary>
    public static Bound Definition(CellModel model, Entity entity) => entity.Kind switch
    {
        EntityKind.Gate => model.PreActivations[entity.Index],
        EntityKind.State => model.Updates[entity.Index],
        EntityKind.Output => model.Output,
        _ => model.RecurrentInput!,
    };

    /// <summary>The entities an entity reads within the step (<paramref name="throughProjections"/>: <c>h_k</c> of an expression gate reads the recurrent input).</summary>
    public static IEnumerable<Entity> Dependencies(CellModel model, Entity entity, bool throughProjections)
    {
        foreach (var reference in References(Definition(model, entity)))
        {
            switch (reference.Kind)
            {
                case RefKind.Gate:
                    yield return new Entity(EntityKind.Gate, reference.Index);
                    break;
                case RefKind.StateNew:
                    yield return new Entity(EntityKind.State, reference.Index);
                    break;
                case RefKind.HProjection when throughProjections && model.Recurrences[reference.Index] == RecurrenceKind.Expression:
                    yield return new Entity(EntityKind.RecurrentInput, 0);
                    break;
            }
        }
    }

    public static string DisplayName(CellSpec spec, Entity entity) => entity.Kind switch
    {
        EntityKind.Gate => spec.Gates[entity.Index].Name,
        EntityKind.State => spec.States[entity.Index].Name + "'",
        EntityKind.Output => spec.OutputName,
        _ => "the recurrent input",
    };

    private static (Bound? Bound, string Text) Bind(string text, SpecTarget target, ExpressionContext context, NameResolver resolver, List<SpecError> errors)
    {
        var expr = ExpressionParser.Parse(text, out var parseError);
        if (expr is null)
        {
            var error = parseError!;
            errors.Add(new SpecError(DiagnosticDescriptors.ParseError.Id, target, new TextRange(error.Offset, error.Length), [text, (error.Offset + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message]));
            return (null, text);
        }

        var resolveErrors = new List<ResolveError>();
        var bound = resolver.Resolve(expr, context, resolveErrors);
        foreach (var error in resolveErrors)
        {
            errors.Add(new SpecError(error.Id, target, error.Range, error.Args));
        }

        return (resolveErrors.Count == 0 ? bound : null, ExpressionPrinter.Print(expr));
    }

    private static void CheckNames(CellSpec spec, List<SpecError> errors)
    {
        if (!CellName.IsMatch(spec.CellName))
        {
            errors.Add(new SpecError(DiagnosticDescriptors.InvalidCellName.Id, new SpecTarget(DeclarationKind.Cell, 0, ArgumentKind.Name), null, [spec.CellName]));
        }

        var owners = new Dictionary<string, string>(System.StringComparer.Ordinal);
        void Claim(string name, string owner, SpecTarget target, string kind, bool validate)
        {
            if (validate && !Identifier.IsMatch(name))
            {
                errors.Add(new SpecError(DiagnosticDescriptors.InvalidName.Id, target, null, [name, kind]));
                return;
            }

            if (owners.TryGetValue(name, out var previous))
            {
                errors.Add(new SpecError(DiagnosticDescriptors.DuplicateName.Id, target, null, [name, previous]));
                return;
            }

            owners.Add(name, owner);
        }

        for (int k = 0; k < spec.Gates.Count; k++)
        {
            var name = spec.Gates[k].Name;
            var target = new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.Name);
            Claim(name, $"gate '{name}'", target, "gate", validate: true);
            if (Identifier.IsMatch(name))
            {
                Claim("x_" + name, $"the input projection of gate '{name}'", target, "gate", validate: false);
                Claim("h_" + name, $"the recurrent projection of gate '{name}'", target, "gate", validate: false);
            }
        }

        for (int s = 0; s < spec.States.Count; s++)
        {
            Claim(spec.States[s].Name, $"state '{spec.States[s].Name}'", new SpecTarget(DeclarationKind.State, s, ArgumentKind.Name), "state", validate: true);
        }

        for (int p = 0; p < spec.Parameters.Count; p++)
        {
            Claim(spec.Parameters[p].Name, $"parameter '{spec.Parameters[p].Name}'", new SpecTarget(DeclarationKind.Parameter, p, ArgumentKind.Name), "parameter", validate: true);
        }

        if (spec.OutputName.Length > 0)
        {
            Claim(spec.OutputName, $"the output '{spec.OutputName}'", new SpecTarget(DeclarationKind.Output, 0, ArgumentKind.Name), "output", validate: true);
        }
    }

    private static bool FindCycle(CellModel model, int recurrentInputGate, List<SpecError> errors)
    {
        var entities = AllEntities(model).ToList();
        var state = new Dictionary<Entity, int>();
        var path = new List<Entity>();

        List<Entity>? Visit(Entity entity)
        {
            state[entity] = 1;
            path.Add(entity);
            foreach (var next in Dependencies(model, entity, throughProjections: true))
            {
                if (state.TryGetValue(next, out int mark) && mark == 1)
                {
                    return path.Skip(path.IndexOf(next)).Append(next).ToList();
                }

                if (!state.ContainsKey(next) && Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[entity] = 2;
            return null;
        }

        foreach (var entity in entities)
        {
            if (state.ContainsKey(entity))
            {
                continue;
            }

            if (Visit(entity) is { } cycle)
            {
                var first = cycle[0];
                var target = first.Kind switch
                {
                    EntityKind.Gate => new SpecTarget(DeclarationKind.Gate, first.Index, ArgumentKind.PreActivation),
                    EntityKind.State => new SpecTarget(DeclarationKind.State, first.Index, ArgumentKind.Expression),
                    EntityKind.Output => new SpecTarget(DeclarationKind.Output, 0, ArgumentKind.Expression),
                    _ => new SpecTarget(DeclarationKind.Gate, recurrentInputGate, ArgumentKind.RecurrentInput),
                };
                var text = string.Join(" -> ", cycle.Select(e => DisplayName(model.Spec, e)));
                errors.Add(new SpecError(DiagnosticDescriptors.DependencyCycle.Id, target, null, [text]));
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<Entity> AllEntities(CellModel model)
    {
        for (int k = 0; k < model.Spec.Gates.Count; k++)
        {
            yield return new Entity(EntityKind.Gate, k);
        }

        for (int s = 0; s < model.Spec.States.Count; s++)
        {
            yield return new Entity(EntityKind.State, s);
        }

        if (model.RecurrentInput is not null)
        {
            yield return new Entity(EntityKind.RecurrentInput, 0);
        }

        yield return new Entity(EntityKind.Output, 0);
    }

    private static void CheckStates(CellModel model, List<SpecError> errors)
    {
        // A state matters when the output reaches it, within the step or through later steps (its previous value).
        var reached = new HashSet<Entity>();
        var work = new Stack<Entity>();
        work.Push(new Entity(EntityKind.Output, 0));
        while (work.Count > 0)
        {
            var entity = work.Pop();
            if (!reached.Add(entity))
            {
                continue;
            }

            foreach (var next in Dependencies(model, entity, throughProjections: true))
            {
                work.Push(next);
            }

            foreach (var reference in References(Definition(model, entity)))
            {
                if (reference.Kind == RefKind.StatePrevious)
                {
                    work.Push(new Entity(EntityKind.State, reference.Index));
                }
            }
        }

        for (int s = 0; s < model.Spec.States.Count; s++)
        {
            var name = model.Spec.States[s].Name;
            if (model.Updates[s] is BoundRef { Kind: RefKind.StatePrevious } self && self.Index == s)
            {
                errors.Add(new SpecError(DiagnosticDescriptors.UselessState.Id, new SpecTarget(DeclarationKind.State, s, ArgumentKind.Expression), null,
                    [name, $"is never updated: its update is just '{name}'; write how it changes each step, e.g. \"f * {name} + i * g\", or remove the state"]));
            }
            else if (!reached.Contains(new Entity(EntityKind.State, s)))
            {
                errors.Add(new SpecError(DiagnosticDescriptors.UselessState.Id, new SpecTarget(DeclarationKind.State, s, ArgumentKind.Name), null,
                    [name, $"never affects the output; read it ('{name}' or '{name}'') in the output or in a gate or state that does, or remove it"]));
            }
        }
    }

    private static Entity[] TopologicalOrder(CellModel model)
    {
        // Declaration order where dependencies allow: gates, then states, then the output.
        var pending = AllEntities(model).Where(e => e.Kind != EntityKind.RecurrentInput).ToList();
        var done = new HashSet<Entity>();
        var order = new List<Entity>();
        while (pending.Count > 0)
        {
            var next = pending.First(e => Dependencies(model, e, throughProjections: false).All(done.Contains));
            pending.Remove(next);
            done.Add(next);
            order.Add(next);
        }

        return [.. order];
    }
}
