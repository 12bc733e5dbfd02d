// Immutable, structural equality.
namespace SimdRnn.Generators.Model;

/// <summary>The nonlinearity of a gate; mirrors <c>SimdRnn.Cells.Activation</c>, value for value.</summary>
internal enum ActivationKind
{
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    HardSigmoid,
}

/// <summary>A type that contains the cell class, e.g. <c>class</c> <c>Outer</c>.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>One <c>[Gate]</c>: <see cref="PreActivation"/> is the text as written, or <c>x_name + h_name</c>.</summary>
internal sealed record GateSpec(string Name, ActivationKind Activation, string PreActivation, float BiasInit, string? RecurrentInput);

/// <summary>One <c>[State]</c>.</summary>
internal sealed record StateSpec(string Name, string Update);

/// <summary>One <c>[Parameter]</c>.</summary>
internal sealed record ParameterSpec(string Name, float InitLow, float InitHigh);

/// <summary>
/// A whole cell declaration, as written: names, enums, numbers and expression texts. Analysis (parsing the
/// expressions, resolving names, ordering) is redone from this by whoever needs it.
/// </summary>
internal sealed record CellSpec(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    string CellName,
    string Description,
    EquatableArray<GateSpec> Gates,
    EquatableArray<StateSpec> States,
    EquatableArray<ParameterSpec> Parameters,
    string OutputName,
    string Output)
{
    /// <summary>The type as the registry names it, <c>global::</c>-qualified.</summary>
    public string FullTypeName
    {
        get
        {
            var prefix = Namespace.Length == 0 ? "global::" : "global::" + Namespace + ".";
            foreach (var type in ContainingTypes)
            {
                prefix += type.Name + ".";
            }

            return prefix + ClassName;
        }
    }
}

/// <summary>A parsed cell with the location of its name, for the compilation-wide duplicate-name check.</summary>
internal sealed record CellDeclaration(CellSpec? Spec, LocationInfo? NameLocation);

/// <summary>An entry of the registry.</summary>
internal sealed record RegistryEntry(string CellName, string FullTypeName);
