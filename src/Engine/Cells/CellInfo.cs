namespace SimdRnn.Cells;

/// <summary>How a gate's recurrent projection <c>h_name</c> is formed.</summary>
public enum Recurrence
{
    /// <summary>The gate has no recurrent projection (no <c>h_name</c> in any expression).</summary>
    None,
    /// <summary><c>h_name</c> projects the previous output.</summary>
    Output,
    /// <summary><c>h_name</c> projects the cell's recurrent-input expression (e.g. <c>r * h</c>).</summary>
    Expression,
}

// Immutable description of a generated cell, emitted by the source generator.
public sealed record GateInfo(string Name, Activation Activation, string PreActivation, float BiasInit, Recurrence Recurrence);

public sealed record StateInfo(string Name, string Update);

public sealed record ParameterInfo(string Name, float InitLow, float InitHigh);

/// <summary>
/// Everything the engine needs to know about a cell besides its code. Weight layout of one layer, in the
/// PyTorch convention: <c>weight_ih</c> [G*H, I] and <c>bias_ih</c> [G*H] hold every gate in declaration
/// order; <c>weight_hh</c> [R*H, H] and <c>bias_hh</c> [R*H] hold the gates with a recurrent projection,
/// first those projecting the output, then those projecting <see cref="RecurrentInput"/>, each group in
/// declaration order.
/// </summary>
public sealed record CellInfo(
    string Name,
    string Description,
    IReadOnlyList<GateInfo> Gates,
    IReadOnlyList<StateInfo> States,
    IReadOnlyList<ParameterInfo> Parameters,
    string OutputName,
    string Output,
    string? RecurrentInput,
    string SpecHash)
{
    /// <summary>G: gates, each an H-wide block of the input projection.</summary>
    public int GateCount => Gates.Count;

    /// <summary>Gates whose recurrent projection takes the previous output (the per-step GEMM).</summary>
    public int OutputRecurrentGates => Gates.Count(g => g.Recurrence == Recurrence.Output);

    /// <summary>Gates whose recurrent projection takes <see cref="RecurrentInput"/> (a second GEMM in the step).</summary>
    public int ExpressionRecurrentGates => Gates.Count(g => g.Recurrence == Recurrence.Expression);

    /// <summary>R: all gates with a recurrent projection (rows of <c>weight_hh</c> in blocks of H).</summary>
    public int RecurrentGates => OutputRecurrentGates + ExpressionRecurrentGates;

    public int StateCount => States.Count;

    // What the generated backward step reads and writes, so the engine stores only what it needs.

    /// <summary>Backward reads the input projections; when not, their buffer can take their gradients in place.</summary>
    public bool BackwardReadsXProj { get; init; } = true;

    /// <summary>Backward reads the output projections; when not, forward keeps only the current step's.</summary>
    public bool BackwardReadsHProj { get; init; } = true;

    /// <summary>Backward reads the recurrent-input projections; when not, forward keeps only the current step's.</summary>
    public bool BackwardReadsRProj { get; init; } = true;

    /// <summary>
    /// Every gate projects the output and its recurrent projection's gradient is its input projection's
    /// (<c>x_k + h_k</c>): backward writes only dXProj, which is also dHProj.
    /// </summary>
    public bool SharedProjectionGradient { get; init; }

    /// <summary>
    /// Training may store the gates over the input projections, and then their gradients over the gates, in one
    /// buffer: backward does not read the projections, the generated step reads each gate's projection before it
    /// writes that gate, and each generated method loads everything of a block before it stores.
    /// </summary>
    public bool GatesOverwriteXProj { get; init; }

    public int ParameterCount => Parameters.Count;

    /// <summary>The generated <c>Forward</c> as data: gate activations, new states and the output from the step's inputs.</summary>
    public StepGraph ForwardGraph { get; init; } = new([], []);

    /// <summary>The generated <c>ForwardRecurrentInput</c> as data (two-stage cells only): writes <see cref="StepBuffer.RInput"/>.</summary>
    public StepGraph? RecurrentInputGraph { get; init; }
}
