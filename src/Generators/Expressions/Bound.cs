namespace SimdRnn.Generators.Expressions;

/// <summary>What a resolved name denotes.</summary>
internal enum RefKind
{
    /// <summary><c>x_k</c>: the input projection of gate k.</summary>
    XProjection,
    /// <summary><c>h_k</c>: the recurrent projection of gate k.</summary>
    HProjection,
    /// <summary>A gate's activation at this step.</summary>
    Gate,
    /// <summary>A state's value from the previous step.</summary>
    StatePrevious,
    /// <summary>A state's value after this step's update (<c>c'</c>).</summary>
    StateNew,
    /// <summary>The previous output.</summary>
    OutputPrevious,
    /// <summary>An elementwise parameter vector.</summary>
    Parameter,
}

/// <summary>The differentiable functions of the expression language.</summary>
internal enum Function
{
    Sigmoid,
    Tanh,
    Relu,
    HardSigmoid,
    Exp,
}

/// <summary>An expression with every name resolved.</summary>
internal abstract record Bound;

internal sealed record BoundConstant(double Value) : Bound;

internal sealed record BoundRef(RefKind Kind, int Index) : Bound;

internal sealed record BoundNegate(Bound Operand) : Bound;

internal sealed record BoundBinary(char Operator, Bound Left, Bound Right) : Bound;

internal sealed record BoundCall(Function Function, Bound Argument) : Bound;
