using System.Collections.Generic;

namespace SimdRnn.Generators.Expressions;

internal enum Op
{
    Constant,
    Load,
    Negate,
    Add,
    Subtract,
    Multiply,
    Divide,
    Sigmoid,
    Tanh,
    Relu,
    HardSigmoid,
    Exp,
    /// <summary>1 where x &gt; 0: relu's derivative from its output.</summary>
    Positive,
    /// <summary>0.2 where 0 &lt; y &lt; 1: hard-sigmoid's derivative from its output.</summary>
    HardSigmoidSlope,
}

/// <summary>The step's buffers, as <c>CellStep&lt;T&gt;</c> names them.</summary>
internal enum StepBuffer
{
    None,
    XProj,
    HProj,
    RProj,
    HPrev,
    StatePrev,
    Params,
    Gates,
    StateNew,
    HNew,
    RInput,
    dHNew,
    dStateNew,
    dRInput,
    dXProj,
    dHProj,
    dRProj,
    dHPrev,
    dStatePrev,
    dParams,
}

/// <summary>One operation; operands are node ids (-1 when absent). A load reads block <see cref="Index"/> of a buffer.</summary>
internal readonly record struct Node(Op Op, int Left, int Right, double Value, StepBuffer Buffer, int Index)
{
    public bool IsConstant(double value) => Op == Op.Constant && Value == value;
}

/// <summary>
/// The expressions of one generated method as a DAG: every node is created once (structurally equal nodes are
/// shared, so common subexpressions are computed once) and after its operands, so ids are a topological order.
/// Construction folds constants and drops neutral operands (x * 1, x + 0).
/// </summary>
internal sealed class Dag
{
    private readonly List<Node> nodes = [];
    private readonly Dictionary<Node, int> ids = [];

    public int Count => nodes.Count;

    public Node this[int id] => nodes[id];

    public int Constant(double value) => Intern(new Node(Op.Constant, -1, -1, value, StepBuffer.None, 0));

    public int Load(StepBuffer buffer, int index) => Intern(new Node(Op.Load, -1, -1, 0, buffer, index));

    public int Negate(int operand)
    {
        var node = nodes[operand];
        return node.Op switch
        {
            Op.Constant => Constant(-node.Value),
            Op.Negate => node.Left,
            Op.Subtract => Subtract(node.Right, node.Left),
            _ => Intern(new Node(Op.Negate, operand, -1, 0, StepBuffer.None, 0)),
        };
    }

    public int Add(int left, int right)
    {
        var l = nodes[left];
        var r = nodes[right];
        if (l.Op == Op.Constant && r.Op == Op.Constant)
        {
            return Constant(l.Value + r.Value);
        }

        if (l.IsConstant(0))
        {
            return right;
        }

        if (r.IsConstant(0))
        {
            return left;
        }

        if (r.Op == Op.Negate)
        {
            return Subtract(left, r.Left);
        }

        if (l.Op == Op.Negate)
        {
            return Subtract(right, l.Left);
        }

        return Intern(new Node(Op.Add, left, right, 0, StepBuffer.None, 0));
    }

    public int Subtract(int left, int right)
    {
        var l = nodes[left];
        var r = nodes[right];
        if (l.Op == Op.Constant && r.Op == Op.Constant)
        {
            return Constant(l.Value - r.Value);
        }

        if (r.IsConstant(0))
        {
            return left;
        }

        if (l.IsConstant(0))
        {
            return Negate(right);
        }

        if (r.Op == Op.Negate)
        {
            return Add(left, r.Left);
        }

        return Intern(new Node(Op.Subtract, left, right, 0, StepBuffer.None, 0));
    }

    public int Multiply(int left, int right)
    {
        var l = nodes[left];
        var r = nodes[right];
        if (l.Op == Op.Constant && r.Op == Op.Constant)
        {
            return Constant(l.Value * r.Value);
        }

        if (l.IsConstant(0) || r.IsConstant(0))
        {
            return Constant(0);
        }

        if (l.IsConstant(1))
        {
            return right;
        }

        if (r.IsConstant(1))
        {
            return left;
        }

        if (l.IsConstant(-1))
        {
            return Negate(right);
        }

        if (r.IsConstant(-1))
        {
            return Negate(left);
        }

        if (l.Op == Op.Negate)
        {
            return Negate(Multiply(l.Left, right));
        }

        if (r.Op == Op.Negate)
        {
            return Negate(Multiply(left, r.Left));
        }

        return Intern(new Node(Op.Multiply, left, right, 0, StepBuffer.None, 0));
    }

    public int Divide(int left, int right)
    {
        var l = nodes[left];
        var r = nodes[right];
        if (l.Op == Op.Constant && r.Op == Op.Constant && r.Value != 0)
        {
            return Constant(l.Value / r.Value);
        }

        if (l.IsConstant(0))
        {
            return Constant(0);
        }

        if (r.IsConstant(1))
        {
            return left;
        }

        return Intern(new Node(Op.Divide, left, right, 0, StepBuffer.None, 0));
    }

    public int Call(Op function, int operand) => Intern(new Node(function, operand, -1, 0, StepBuffer.None, 0));

    private int Intern(Node node)
    {
        if (!ids.TryGetValue(node, out int id))
        {
            id = nodes.Count;
            nodes.Add(node);
            ids.Add(node, id);
        }

        return id;
    }
}
