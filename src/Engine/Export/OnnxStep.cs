using SimdRnn.Cells;

namespace SimdRnn.Export;

/// <summary>
/// Rebuilds a cell's <see cref="StepGraph"/> as ONNX nodes over [B, H] rows: a load of block k of a projection is
/// a Slice of its [B, n*H] value, a parameter an [H] initializer that broadcasts, a constant a scalar. Loads are
/// shared across the graphs of one step (the recurrent-input stage and the step read the same projections).
/// </summary>
internal sealed class OnnxStep(OnnxGraphBuilder graph, int hidden, Dictionary<StepBuffer, string> buffers, string[] statesPrev, string[] parameters)
{
    private readonly Dictionary<(StepBuffer, int), string> loads = [];

    /// <summary>Emits the graph's nodes; returns the value of each store, by buffer and block.</summary>
    public Dictionary<(StepBuffer, int), string> Emit(StepGraph step)
    {
        var values = new string[step.Nodes.Count];
        for (int id = 0; id < values.Length; id++)
        {
            var node = step.Nodes[id];
            string Left() => values[node.Left];
            string Right() => values[node.Right];
            values[id] = node.Op switch
            {
                StepOp.Constant => graph.Scalar((float)node.Value),
                StepOp.Load => Load(node.Buffer, node.Index),
                StepOp.Negate => graph.Node("Neg", [Left()]),
                StepOp.Add => graph.Node("Add", [Left(), Right()]),
                StepOp.Subtract => graph.Node("Sub", [Left(), Right()]),
                StepOp.Multiply => graph.Node("Mul", [Left(), Right()]),
                StepOp.Divide => graph.Node("Div", [Left(), Right()]),
                StepOp.Sigmoid => graph.Node("Sigmoid", [Left()]),
                StepOp.Tanh => graph.Node("Tanh", [Left()]),
                StepOp.Relu => graph.Node("Relu", [Left()]),
                StepOp.HardSigmoid => graph.Node("HardSigmoid", [Left()], new OnnxAttribute("alpha", Float: 0.2f), new OnnxAttribute("beta", Float: 0.5f)),
                StepOp.Exp => graph.Node("Exp", [Left()]),
                _ => throw new InvalidOperationException($"step operation {node.Op} has no ONNX form"),
            };
        }

        return step.Stores.ToDictionary(store => (store.Buffer, store.Index), store => values[store.Node]);
    }

    private string Load(StepBuffer buffer, int index)
    {
        if (loads.TryGetValue((buffer, index), out var value)) return value;
        value = buffer switch
        {
            StepBuffer.XProj or StepBuffer.HProj or StepBuffer.RProj => graph.Slice(buffers[buffer], index * hidden, (index + 1) * hidden, 1),
            StepBuffer.HPrev => buffers[buffer],
            StepBuffer.StatePrev => statesPrev[index],
            StepBuffer.Params => parameters[index],
            _ => throw new InvalidOperationException($"a forward step does not read {buffer}"),
        };
        loads[(buffer, index)] = value;
        return value;
    }
}
