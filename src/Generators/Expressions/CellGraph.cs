using System.Collections.Generic;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators.Expressions;

/// <summary>
/// Builds a cell's expressions into a <see cref="Dag"/>. In the forward pass gates and states are computed; in
/// the backward pass they are the saved values (loads from <c>Gates</c> and <c>StateNew</c>), each with a
/// <see cref="Definition"/> through which the differentiator propagates adjoints.
/// </summary>
internal sealed class CellGraph
{
    private readonly CellModel model;
    private readonly bool backward;
    private readonly Dictionary<Entity, int> values = [];

    public CellGraph(CellModel model, bool backward)
    {
        this.model = model;
        this.backward = backward;
    }

    public Dag Dag { get; } = new();

    /// <summary>For a saved value (backward only): the node it was computed from and the activation applied to it.</summary>
    public Dictionary<int, Definition> Definitions { get; } = [];

    public CellModel Model => model;

    /// <summary>The node holding an entity's value, built on first use.</summary>
    public int Value(Entity entity)
    {
        if (values.TryGetValue(entity, out int id))
        {
            return id;
        }

        switch (entity.Kind)
        {
            case EntityKind.Gate when backward:
                id = Dag.Load(StepBuffer.Gates, entity.Index);
                values[entity] = id;
                Definitions[id] = new Definition(Build(model.PreActivations[entity.Index]), model.Spec.Gates[entity.Index].Activation);
                return id;
            case EntityKind.State when backward:
                id = Dag.Load(StepBuffer.StateNew, entity.Index);
                values[entity] = id;
                Definitions[id] = new Definition(Build(model.Updates[entity.Index]), ActivationKind.Identity);
                return id;
            case EntityKind.Gate:
                id = Activate(model.Spec.Gates[entity.Index].Activation, Build(model.PreActivations[entity.Index]));
                break;
            default:
                id = Build(CellAnalyzer.Definition(model, entity));
                break;
        }

        values[entity] = id;
        return id;
    }

    /// <summary>The node of a gate's pre-activation (for comments and adjoint names).</summary>
    public int PreActivation(int gate) => Build(model.PreActivations[gate]);

    public int Build(Bound bound) => bound switch
    {
        BoundConstant constant => Dag.Constant(constant.Value),
        BoundRef reference => Reference(reference),
        BoundNegate negate => Dag.Negate(Build(negate.Operand)),
        BoundBinary { Operator: '+' } binary => Dag.Add(Build(binary.Left), Build(binary.Right)),
        BoundBinary { Operator: '-' } binary => Dag.Subtract(Build(binary.Left), Build(binary.Right)),
        BoundBinary { Operator: '*' } binary => Dag.Multiply(Build(binary.Left), Build(binary.Right)),
        BoundBinary binary => Dag.Divide(Build(binary.Left), Build(binary.Right)),
        BoundCall call => Dag.Call(FunctionOp(call.Function), Build(call.Argument)),
        _ => throw new System.InvalidOperationException("unknown expression"),
    };

    private int Reference(BoundRef reference) => reference.Kind switch
    {
        RefKind.XProjection => Dag.Load(StepBuffer.XProj, reference.Index),
        RefKind.HProjection => ProjectionLoad(reference.Index),
        RefKind.Gate => Value(new Entity(EntityKind.Gate, reference.Index)),
        RefKind.StatePrevious => Dag.Load(StepBuffer.StatePrev, reference.Index),
        RefKind.StateNew => Value(new Entity(EntityKind.State, reference.Index)),
        RefKind.OutputPrevious => Dag.Load(StepBuffer.HPrev, 0),
        _ => Dag.Load(StepBuffer.Params, reference.Index),
    };

    /// <summary>Buffer and block of gate k's recurrent projection.</summary>
    public (StepBuffer Buffer, int Index) Projection(int gate) =>
        (model.Recurrences[gate] == RecurrenceKind.Expression ? StepBuffer.RProj : StepBuffer.HProj, model.ProjectionIndices[gate]);

    private int ProjectionLoad(int gate)
    {
        var (buffer, index) = Projection(gate);
        return Dag.Load(buffer, index);
    }

    private int Activate(ActivationKind activation, int operand) => activation switch
    {
        ActivationKind.Sigmoid => Dag.Call(Op.Sigmoid, operand),
        ActivationKind.Tanh => Dag.Call(Op.Tanh, operand),
        ActivationKind.Relu => Dag.Call(Op.Relu, operand),
        ActivationKind.HardSigmoid => Dag.Call(Op.HardSigmoid, operand),
        _ => operand,
    };

    private static Op FunctionOp(Function function) => function switch
    {
        Function.Sigmoid => Op.Sigmoid,
        Function.Tanh => Op.Tanh,
        Function.Relu => Op.Relu,
        Function.HardSigmoid => Op.HardSigmoid,
        _ => Op.Exp,
    };
}

/// <summary>A saved value <c>y = activation(Root)</c>.</summary>
internal readonly record struct Definition(int Root, ActivationKind Activation);
