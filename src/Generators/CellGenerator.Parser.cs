using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SimdRnn.Generators.Expressions;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators;

public sealed partial class CellGenerator
{
    /// <summary>Attributes to a plain <see cref="CellSpec"/>, with every error located at the offending attribute argument.</summary>
    internal static class Parser
    {
        private const string Namespace = "SimdRnn.Cells.";

        public static Result<CellDeclaration> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (ClassDeclarationSyntax)context.TargetNode;
            var cellAttribute = context.Attributes[0];
            var locator = new Locator();
            var errors = new List<DiagnosticInfo>();

            var cellSyntax = Syntax(cellAttribute, cancellationToken);
            var cellNameArgument = Argument(cellSyntax, "name", 0, null);
            locator.Add(new SpecTarget(DeclarationKind.Cell, 0, ArgumentKind.Name), cellNameArgument ?? (SyntaxNode?)cellSyntax ?? declaration);
            var cellName = cellAttribute.ConstructorArguments.Length > 0 ? cellAttribute.ConstructorArguments[0].Value as string ?? "" : "";
            var description = Named(cellAttribute, "Description") as string ?? "";

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                errors.Add(locator.Error(DiagnosticDescriptors.ClassNotPartial.Id, new SpecTarget(DeclarationKind.Cell, 0, ArgumentKind.Name), null, symbol.Name));
            }

            for (var type = symbol; type is not null; type = type.ContainingType)
            {
                if (type.TypeParameters.Length > 0)
                {
                    errors.Add(locator.Error(DiagnosticDescriptors.GenericClass.Id, new SpecTarget(DeclarationKind.Cell, 0, ArgumentKind.Name), null,
                        type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), symbol.Name, type.Name));
                }
            }

            var containing = new List<ContainingType>();
            for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                var isPartial = outer.DeclaringSyntaxReferences
                    .Select(r => r.GetSyntax(cancellationToken))
                    .OfType<TypeDeclarationSyntax>()
                    .Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!isPartial)
                {
                    errors.Add(locator.Error(DiagnosticDescriptors.ClassNotPartial.Id, new SpecTarget(DeclarationKind.Cell, 0, ArgumentKind.Name), null, outer.Name));
                }

                containing.Insert(0, new ContainingType(Keyword(outer), outer.Name));
            }

            var gates = new List<GateSpec>();
            var states = new List<StateSpec>();
            var parameters = new List<ParameterSpec>();
            var outputs = new List<(string Name, string Expression)>();
            foreach (var attribute in symbol.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var syntax = Syntax(attribute, cancellationToken);
                var args = attribute.ConstructorArguments;
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case Namespace + "GateAttribute" when args.Length == 2:
                    {
                        int k = gates.Count;
                        var name = args[0].Value as string ?? "";
                        var nameArgument = Argument(syntax, "name", 0, null);
                        locator.Add(new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.Name), nameArgument ?? (SyntaxNode?)syntax);
                        locator.Add(new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.Activation), Argument(syntax, "activation", 1, null) ?? nameArgument ?? (SyntaxNode?)syntax);
                        locator.Add(new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.PreActivation), Argument(syntax, null, -1, "PreActivation") ?? nameArgument ?? (SyntaxNode?)syntax);
                        locator.Add(new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.RecurrentInput), Argument(syntax, null, -1, "RecurrentInput") ?? nameArgument ?? (SyntaxNode?)syntax);

                        int activation = System.Convert.ToInt32(args[1].Value ?? 0, CultureInfo.InvariantCulture);
                        if (activation < (int)ActivationKind.Identity || activation > (int)ActivationKind.HardSigmoid)
                        {
                            errors.Add(locator.Error(DiagnosticDescriptors.UnknownActivation.Id, new SpecTarget(DeclarationKind.Gate, k, ArgumentKind.Activation), null,
                                activation.ToString(CultureInfo.InvariantCulture), name));
                            activation = 0;
                        }

                        var pre = Named(attribute, "PreActivation") as string ?? $"x_{name} + h_{name}";
                        var bias = Named(attribute, "BiasInit") is float b ? b : 0f;
                        gates.Add(new GateSpec(name, (ActivationKind)activation, pre, bias, Named(attribute, "RecurrentInput") as string));
                        break;
                    }

                    case Namespace + "StateAttribute" when args.Length == 2:
                    {
                        int s = states.Count;
                        locator.Add(new SpecTarget(DeclarationKind.State, s, ArgumentKind.Name), Argument(syntax, "name", 0, null) ?? (SyntaxNode?)syntax);
                        locator.Add(new SpecTarget(DeclarationKind.State, s, ArgumentKind.Expression), Argument(syntax, "update", 1, null) ?? (SyntaxNode?)syntax);
                        states.Add(new StateSpec(args[0].Value as string ?? "", args[1].Value as string ?? ""));
                        break;
                    }

                    case Namespace + "ParameterAttribute" when args.Length == 1:
                    {
                        locator.Add(new SpecTarget(DeclarationKind.Parameter, parameters.Count, ArgumentKind.Name), Argument(syntax, "name", 0, null) ?? (SyntaxNode?)syntax);
                        parameters.Add(new ParameterSpec(
                            args[0].Value as string ?? "",
                            Named(attribute, "InitLow") is float low ? low : 0f,
                            Named(attribute, "InitHigh") is float high ? high : 0f));
                        break;
                    }

                    case Namespace + "OutputAttribute" when args.Length == 2:
                    {
                        var nameArgument = Argument(syntax, "name", 0, null);
                        if (outputs.Count == 0)
                        {
                            locator.Add(new SpecTarget(DeclarationKind.Output, 0, ArgumentKind.Name), nameArgument ?? (SyntaxNode?)syntax);
                            locator.Add(new SpecTarget(DeclarationKind.Output, 0, ArgumentKind.Expression), Argument(syntax, "expression", 1, null) ?? (SyntaxNode?)syntax);
                        }
                        else
                        {
                            errors.Add(Locator.Error(DiagnosticDescriptors.OutputCount.Id, nameArgument ?? (SyntaxNode?)syntax ?? declaration, null,
                                "The cell has more than one [Output]; keep exactly one (the output is the cell's hidden state)"));
                        }

                        outputs.Add((args[0].Value as string ?? "", args[1].Value as string ?? ""));
                        break;
                    }
                }
            }

            if (outputs.Count == 0)
            {
                errors.Add(locator.Error(DiagnosticDescriptors.OutputCount.Id, new SpecTarget(DeclarationKind.Cell, 0, ArgumentKind.Name), null,
                    "The cell has no [Output]; add one, e.g. [Output(\"h\", \"o * tanh(c)\")]"));
            }

            var spec = new CellSpec(
                symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString(),
                containing.ToEquatableArray(),
                symbol.Name,
                cellName,
                description,
                gates.ToEquatableArray(),
                states.ToEquatableArray(),
                parameters.ToEquatableArray(),
                outputs.Count > 0 ? outputs[0].Name : "",
                outputs.Count > 0 ? outputs[0].Expression : "");

            var specErrors = new List<SpecError>();
            CellAnalyzer.Analyze(spec, specErrors);
            errors.AddRange(specErrors.Select(e => locator.Error(e.Id, e.Target, e.Range, e.Args)));

            var nameLocation = Locator.Locate(cellNameArgument ?? (SyntaxNode?)cellSyntax ?? declaration, null);
            return new Result<CellDeclaration>(new CellDeclaration(spec, nameLocation), errors.ToEquatableArray());
        }

        private static string Keyword(INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
        {
            (true, TypeKind.Struct) => "record struct",
            (true, _) => "record",
            (_, TypeKind.Struct) => "struct",
            (_, TypeKind.Interface) => "interface",
            _ => "class",
        };

        private static AttributeSyntax? Syntax(AttributeData attribute, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

        private static object? Named(AttributeData attribute, string name)
        {
            foreach (var pair in attribute.NamedArguments)
            {
                if (pair.Key == name)
                {
                    return pair.Value.Value;
                }
            }

            return null;
        }

        /// <summary>The expression of a constructor argument (by parameter name or position) or of a named property.</summary>
        private static ExpressionSyntax? Argument(AttributeSyntax? attribute, string? parameter, int position, string? property)
        {
            if (attribute?.ArgumentList is not { } list)
            {
                return null;
            }

            int positional = 0;
            foreach (var argument in list.Arguments)
            {
                if (argument.NameEquals is { } equals)
                {
                    if (property is not null && equals.Name.Identifier.ValueText == property)
                    {
                        return argument.Expression;
                    }

                    continue;
                }

                if (argument.NameColon is { } colon)
                {
                    if (parameter is not null && colon.Name.Identifier.ValueText == parameter)
                    {
                        return argument.Expression;
                    }
                }
                else if (parameter is not null && positional == position)
                {
                    return argument.Expression;
                }

                positional++;
            }

            return null;
        }

        /// <summary>Maps spec targets to their syntax and builds located diagnostics.</summary>
        private sealed class Locator
        {
            private readonly Dictionary<SpecTarget, SyntaxNode?> targets = [];

            public void Add(SpecTarget target, SyntaxNode? node) => targets[target] = node;

            public DiagnosticInfo Error(string id, SpecTarget target, TextRange? range, params string[] args) =>
                Error(id, targets.TryGetValue(target, out var node) ? node : null, range, args);

            public static DiagnosticInfo Error(string id, SyntaxNode? node, TextRange? range, params string[] args) =>
                new(id, node is null ? null : Locate(node, range), args.ToEquatableArray());

            /// <summary>The node's location; inside a plain string literal, the <paramref name="range"/> within its text.</summary>
            public static LocationInfo Locate(SyntaxNode node, TextRange? range)
            {
                var span = node.Span;
                if (range is { } r && node is LiteralExpressionSyntax literal && literal.Token.IsKind(SyntaxKind.StringLiteralToken))
                {
                    var text = literal.Token.Text;
                    int? contentStart =
                        text.StartsWith("\"", System.StringComparison.Ordinal) && text.IndexOf('\\') < 0 ? 1
                        : text.StartsWith("@\"", System.StringComparison.Ordinal) && text.IndexOf("\"\"", 2, System.StringComparison.Ordinal) < 0 ? 2
                        : null;
                    if (contentStart is { } start && start + r.Start + r.Length <= text.Length - 1)
                    {
                        span = new TextSpan(literal.SpanStart + start + r.Start, r.Length);
                    }
                }

                var tree = node.SyntaxTree;
                return new LocationInfo(tree.FilePath, span, tree.GetLineSpan(span).Span);
            }
        }
    }
}
