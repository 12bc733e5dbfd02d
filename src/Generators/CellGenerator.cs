using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators;

/// <summary>
/// Generates each <c>[RecurrentCell]</c> class's <c>ICell</c> implementation and the compilation's
/// <c>SimdRnn.Generated.GeneratedCells</c> registry. The pipeline only: see <see cref="Parser"/>, <see cref="Lowering"/> and <see cref="Emitter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class CellGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var cells = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "SimdRnn.Cells.RecurrentCellAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (attributeContext, cancellationToken) => Parser.Parse(attributeContext, cancellationToken))
            .WithTrackingName(StepNames.CellSpec);

        context.RegisterSourceOutput(cells.Select(static (result, _) => result.Errors), static (output, errors) => Report(output, errors));

        var duplicates = cells
            .Select(static (result, _) => result.Value)
            .Collect()
            .Select(static (declarations, _) => FindDuplicateNames(declarations));
        context.RegisterSourceOutput(duplicates.Select(static (result, _) => result.Errors), static (output, errors) => Report(output, errors));

        var valid = cells
            .Where(static result => result.Errors.IsEmpty && result.Value.Spec is not null)
            .Select(static (result, _) => result.Value.Spec!)
            .Combine(duplicates.Select(static (result, _) => result.Value))
            .Where(static pair => !pair.Right.AsImmutableArray().Contains(pair.Left.CellName))
            .Select(static (pair, _) => pair.Left);
        var lowered = valid
            .Select(static (spec, _) => Lowering.Lower(spec))
            .WithTrackingName(StepNames.Lowered);
        context.RegisterSourceOutput(lowered, static (output, cell) => output.AddSource(Emitter.HintName(cell.Spec), Emitter.EmitCell(cell)));

        var registry = valid
            .Select(static (spec, _) => new RegistryEntry(spec.CellName, spec.FullTypeName))
            .Collect()
            .Select(static (entries, _) => entries.ToEquatableArray())
            .WithTrackingName(StepNames.Registry);
        context.RegisterSourceOutput(registry, static (output, entries) => output.AddSource("SimdRnn.Generated.GeneratedCells.g.cs", Emitter.EmitRegistry(entries)));
    }

    private static Result<EquatableArray<string>> FindDuplicateNames(ImmutableArray<CellDeclaration> declarations)
    {
        var errors = new List<DiagnosticInfo>();
        var duplicated = new List<string>();
        foreach (var group in declarations.Where(d => d.Spec is { CellName.Length: > 0 }).GroupBy(d => d.Spec!.CellName).Where(g => g.Count() > 1))
        {
            duplicated.Add(group.Key);
            var classes = string.Join(", ", group.Select(d => d.Spec!.FullTypeName.Substring("global::".Length)));
            foreach (var declaration in group)
            {
                errors.Add(new DiagnosticInfo(DiagnosticDescriptors.DuplicateCellName.Id, declaration.NameLocation, new[] { group.Key, classes }.ToEquatableArray()));
            }
        }

        return new Result<EquatableArray<string>>(duplicated.ToEquatableArray(), errors.ToEquatableArray());
    }

    private static void Report(SourceProductionContext output, EquatableArray<DiagnosticInfo> errors)
    {
        foreach (var error in errors)
        {
            var location = error.Location is { } l ? Location.Create(l.FilePath, l.Span, l.LineSpan) : Location.None;
            output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Get(error.Id), location, error.MessageArgs.Cast<object>().ToArray()));
        }
    }
}
