using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SimdRnn.Generators;

/// <summary>Every diagnostic the generator reports; each message says what to write instead.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SimdRnn";

    public static readonly DiagnosticDescriptor ClassNotPartial = Create(
        "SRNN0001", "Cell class is not partial",
        "The cell class '{0}' must be partial so the generator can add its code; declare it as 'partial class {0}'");

    public static readonly DiagnosticDescriptor ParseError = Create(
        "SRNN0002", "Cannot parse expression",
        "Cannot parse '{0}' at column {1}: {2}");

    public static readonly DiagnosticDescriptor UnknownName = Create(
        "SRNN0003", "Unknown name",
        "Unknown name '{0}' in {1}; use one of: {2}");

    public static readonly DiagnosticDescriptor UnknownFunction = Create(
        "SRNN0004", "Unknown function",
        "Unknown function '{0}'; use one of: sigmoid, tanh, relu, hard_sigmoid, exp");

    public static readonly DiagnosticDescriptor NotDifferentiable = Create(
        "SRNN0005", "Function is not differentiable",
        "'{0}' has a zero or undefined derivative, so nothing could be learned through it; use {1} instead");

    public static readonly DiagnosticDescriptor DuplicateName = Create(
        "SRNN0006", "Duplicate name",
        "The name '{0}' is already used by {1}; give every gate, state, parameter and output its own name (gate k also owns x_k and h_k)");

    public static readonly DiagnosticDescriptor DependencyCycle = Create(
        "SRNN0007", "Dependency cycle",
        "Dependency cycle {0}; break it by reading a previous value (a state 'c' instead of c', or the previous output)");

    public static readonly DiagnosticDescriptor UselessState = Create(
        "SRNN0008", "State is never updated or never used",
        "State '{0}' {1}");

    public static readonly DiagnosticDescriptor OutputCount = Create(
        "SRNN0009", "A cell needs exactly one output",
        "{0}");

    public static readonly DiagnosticDescriptor NoGates = Create(
        "SRNN0010", "Cell has no gates",
        "The cell '{0}' has no [Gate]; add at least one, e.g. [Gate(\"a\", Activation.Tanh)]");

    public static readonly DiagnosticDescriptor UnknownActivation = Create(
        "SRNN0011", "Unknown activation",
        "Unknown activation value {0} for gate '{1}'; use Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.Relu or Activation.HardSigmoid");

    public static readonly DiagnosticDescriptor ConflictingRecurrentInput = Create(
        "SRNN0012", "Different recurrent-input expressions",
        "Gate '{0}' sets RecurrentInput = \"{1}\" but gate '{2}' sets \"{3}\"; a cell has one recurrent input, so write the same expression on every gate that sets it");

    public static readonly DiagnosticDescriptor DuplicateCellName = Create(
        "SRNN0013", "Duplicate cell name",
        "Another cell in this compilation is also named '{0}' ({1}); give each [RecurrentCell] a unique name");

    public static readonly DiagnosticDescriptor InvalidCellName = Create(
        "SRNN0014", "Invalid cell name",
        "'{0}' is not a valid cell name; use lowercase letters, digits and '-', e.g. \"my-lstm\"");

    public static readonly DiagnosticDescriptor InvalidName = Create(
        "SRNN0015", "Invalid name",
        "'{0}' is not a valid name for a {1}; use a letter or '_' followed by letters, digits or '_', e.g. \"f\" or \"p_i\"");

    public static readonly DiagnosticDescriptor GenericClass = Create(
        "SRNN0016", "Cell class is generic",
        "'{0}' is generic, but a cell must be one concrete type (the registry holds CellEntry.For<{1}>()); declare '{2}' without type parameters");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = new()
    {
        [ClassNotPartial.Id] = ClassNotPartial,
        [ParseError.Id] = ParseError,
        [UnknownName.Id] = UnknownName,
        [UnknownFunction.Id] = UnknownFunction,
        [NotDifferentiable.Id] = NotDifferentiable,
        [DuplicateName.Id] = DuplicateName,
        [DependencyCycle.Id] = DependencyCycle,
        [UselessState.Id] = UselessState,
        [OutputCount.Id] = OutputCount,
        [NoGates.Id] = NoGates,
        [UnknownActivation.Id] = UnknownActivation,
        [ConflictingRecurrentInput.Id] = ConflictingRecurrentInput,
        [DuplicateCellName.Id] = DuplicateCellName,
        [InvalidCellName.Id] = InvalidCellName,
        [InvalidName.Id] = InvalidName,
        [GenericClass.Id] = GenericClass,
    };

    public static DiagnosticDescriptor Get(string id) => ById[id];

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
