namespace SimdRnn.Cells;

/// <summary>An operation of a <see cref="StepGraph"/>, elementwise over one row of H units.</summary>
public enum StepOp
{
    /// <summary>The number <see cref="StepNode.Value"/>.</summary>
    Constant,
    /// <summary>Block <see cref="StepNode.Index"/> (H wide) of the step buffer <see cref="StepNode.Buffer"/>.</summary>
    Load,
    Negate,
    Add,
    Subtract,
    Multiply,
    Divide,
    /// <summary><c>1 / (1 + exp(-x))</c>.</summary>
    Sigmoid,
    Tanh,
    /// <summary><c>max(x, 0)</c>.</summary>
    Relu,
    /// <summary><c>clamp(0.2 x + 0.5, 0, 1)</c>, ONNX's HardSigmoid with its default alpha and beta.</summary>
    HardSigmoid,
    Exp,
}

/// <summary>The step buffers a <see cref="StepGraph"/> reads and writes, named as <see cref="CellStep{T}"/>'s spans.</summary>
public enum StepBuffer
{
    /// <summary>Not a load: the node computes.</summary>
    None,
    /// <summary>Gate k's input projection <c>x_k</c>, <c>bias_ih</c> included.</summary>
    XProj,
    /// <summary>Block m of the output projections <c>h_prev · weight_hh_o^T + bias_hh_o</c>.</summary>
    HProj,
    /// <summary>Block m of the recurrent-input projections <c>rinput · weight_hh_e^T + bias_hh_e</c>.</summary>
    RProj,
    /// <summary>The previous output.</summary>
    HPrev,
    /// <summary>State s before the step.</summary>
    StatePrev,
    /// <summary>Elementwise parameter p, one H vector.</summary>
    Params,
    /// <summary>Gate k's activation (written).</summary>
    Gates,
    /// <summary>State s after the step (written).</summary>
    StateNew,
    /// <summary>The new output (written).</summary>
    HNew,
    /// <summary>The recurrent-input expression (written by the first stage of a two-stage step).</summary>
    RInput,
}

/// <summary>One node; operands are indices of earlier nodes, -1 when absent.</summary>
public readonly record struct StepNode(StepOp Op, int Left, int Right, double Value, StepBuffer Buffer, int Index);

/// <summary>A write of node <see cref="Node"/> to block <see cref="Index"/> of <see cref="Buffer"/>.</summary>
public readonly record struct StepStore(int Node, StepBuffer Buffer, int Index);

/// <summary>
/// A generated forward method as data: the same lowered DAG the generator prints as C#, nodes in topological
/// order (each after its operands), common subexpressions shared. An exporter rebuilds the step from it in
/// another runtime (the ONNX exporter builds a graph body from it) with no knowledge of the cell.
/// </summary>
public sealed record StepGraph(IReadOnlyList<StepNode> Nodes, IReadOnlyList<StepStore> Stores);
