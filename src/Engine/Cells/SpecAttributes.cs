namespace SimdRnn.Cells;

/// <summary>The nonlinearity applied to a gate's pre-activation.</summary>
public enum Activation
{
    /// <summary>y = x</summary>
    Identity,
    /// <summary>y = 1 / (1 + exp(-x))</summary>
    Sigmoid,
    /// <summary>y = tanh(x)</summary>
    Tanh,
    /// <summary>y = max(x, 0)</summary>
    Relu,
    /// <summary>y = clamp(0.2 x + 0.5, 0, 1)</summary>
    HardSigmoid,
}

/// <summary>
/// Declares a recurrent cell. The class must be <c>partial</c>; the SimdRnn source generator adds its
/// forward and backward code from the <see cref="GateAttribute"/>, <see cref="StateAttribute"/>,
/// <see cref="ParameterAttribute"/> and <see cref="OutputAttribute"/> declarations. See docs/cell-spec.md.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RecurrentCellAttribute(string name) : Attribute
{
    /// <summary>The name the cell is selected by, e.g. <c>lstm</c> for <c>--cell lstm</c>.</summary>
    public string Name { get; } = name;

    /// <summary>One line shown by <c>simdrnn cells</c>.</summary>
    public string? Description { get; set; }
}

/// <summary>
/// A gate: <c>name = activation(pre-activation)</c>, one value per hidden unit. Every gate has an input
/// projection <c>x_name</c> (a block of <c>weight_ih</c> plus <c>bias_ih</c>); it has a recurrent projection
/// <c>h_name</c> (a block of <c>weight_hh</c> plus <c>bias_hh</c>) when some expression uses <c>h_name</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GateAttribute(string name, Activation activation) : Attribute
{
    public string Name { get; } = name;

    public Activation Activation { get; } = activation;

    /// <summary>The pre-activation expression; <c>x_name + h_name</c> when not given.</summary>
    public string? PreActivation { get; set; }

    /// <summary>The initial value of this gate's input bias (e.g. 1 for an LSTM forget gate).</summary>
    public float BiasInit { get; set; }

    /// <summary>
    /// The expression whose recurrent projection is <c>h_name</c>; the previous output when not given.
    /// The TF1 GRU candidate uses <c>r * h</c> (reset before the projection); the generator schedules the
    /// second recurrent matrix product inside the step.
    /// </summary>
    public string? RecurrentInput { get; set; }
}

/// <summary>A state carried across steps (an LSTM's <c>c</c>), updated once per step by an expression.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class StateAttribute(string name, string update) : Attribute
{
    public string Name { get; } = name;

    public string Update { get; } = update;
}

/// <summary>
/// A trainable elementwise parameter: a vector of one value per hidden unit (peephole weights, IndRNN's
/// recurrent weight), initialised uniformly in [<see cref="InitLow"/>, <see cref="InitHigh"/>].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ParameterAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public float InitLow { get; set; }

    public float InitHigh { get; set; }
}

/// <summary>The cell's output (its hidden state <c>h</c>), computed last in each step.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OutputAttribute(string name, string expression) : Attribute
{
    public string Name { get; } = name;

    public string Expression { get; } = expression;
}
