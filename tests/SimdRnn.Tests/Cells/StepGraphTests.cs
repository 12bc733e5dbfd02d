using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Cells;
using SimdRnn.Kernels;
using Xunit;

namespace SimdRnn.Tests.Cells;

/// <summary>
/// Each generated cell's <see cref="CellInfo.ForwardGraph"/> and <see cref="CellInfo.RecurrentInputGraph"/> are the
/// same functions as its generated <c>Forward</c> and <c>ForwardRecurrentInput</c>: an exporter that rebuilds the step
/// from the data computes what the engine computes.
/// </summary>
public sealed class StepGraphTests
{
    private const int Hidden = 3;

    public static TheoryData<string> CellTypes() =>
        [.. typeof(CellCatalog).Assembly.GetTypes().Where(t => t.IsClass && typeof(ICell).IsAssignableFrom(t)).Select(t => t.FullName!)];

    [Fact]
    public void EveryBuiltInCell_IsChecked() => Assert.Equal(CellCatalog.BuiltIn.Count, CellTypes().Count);

    [Theory]
    [MemberData(nameof(CellTypes))]
    public void ForwardGraph_ComputesWhatForwardComputes(string typeName)
    {
        var type = typeof(CellCatalog).Assembly.GetType(typeName)!;
        var matches = typeof(StepGraphTests).GetMethod(nameof(Matches), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        var property = Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed => (bool)matches.Invoke(null, [seed])!);
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(50), property);
    }

    private static bool Matches<TCell>(int seed) where TCell : ICell
    {
        var info = TCell.Info;
        var random = new Random(seed);
        double[] Random(int blocks) => [.. Enumerable.Range(0, blocks * Hidden).Select(_ => random.NextDouble() * 4 - 2)];
        var inputs = new Dictionary<StepBuffer, double[]>
        {
            [StepBuffer.XProj] = Random(info.GateCount),
            [StepBuffer.HProj] = Random(info.OutputRecurrentGates),
            [StepBuffer.RProj] = Random(info.ExpressionRecurrentGates),
            [StepBuffer.HPrev] = Random(1),
            [StepBuffer.StatePrev] = Random(info.StateCount),
            [StepBuffer.Params] = Random(info.ParameterCount),
        };
        var gates = new double[info.GateCount * Hidden];
        var stateNew = new double[info.StateCount * Hidden];
        var hNew = new double[Hidden];
        var rInput = new double[Hidden];
        var step = new CellStep<double>
        {
            Hidden = Hidden,
            XProj = inputs[StepBuffer.XProj], HProj = inputs[StepBuffer.HProj], RProj = inputs[StepBuffer.RProj],
            HPrev = inputs[StepBuffer.HPrev], StatePrev = inputs[StepBuffer.StatePrev], Params = inputs[StepBuffer.Params],
            Gates = gates, StateNew = stateNew, HNew = hNew, RInput = rInput,
        };
        TCell.Forward<ScalarLanes<double>, double>(in step, 1, 0, Hidden);
        if (info.RecurrentInputGraph is not null)
        {
            TCell.ForwardRecurrentInput<ScalarLanes<double>, double>(in step, 1, 0, Hidden);
        }

        var expected = new Dictionary<StepBuffer, double[]> { [StepBuffer.Gates] = gates, [StepBuffer.StateNew] = stateNew, [StepBuffer.HNew] = hNew, [StepBuffer.RInput] = rInput };
        var graphs = info.RecurrentInputGraph is { } r ? new[] { info.ForwardGraph, r } : [info.ForwardGraph];
        Assert.Contains(info.ForwardGraph.Stores, s => s.Buffer == StepBuffer.HNew);
        Assert.Equal(info.RecurrentInput is not null, info.RecurrentInputGraph is not null);
        foreach (var graph in graphs)
        {
            for (int j = 0; j < Hidden; j++)
            {
                var values = Evaluate(graph, inputs, j);
                foreach (var store in graph.Stores)
                {
                    double want = expected[store.Buffer][store.Index * Hidden + j];
                    if (Math.Abs(values[store.Node] - want) > 1e-12 * Math.Max(1, Math.Abs(want)))
                    {
                        throw new Xunit.Sdk.XunitException($"{info.Name}: {store.Buffer}[{store.Index}] unit {j}: graph {values[store.Node]}, Forward {want}");
                    }
                }
            }
        }

        return true;
    }

    /// <summary>A reference interpreter of a step graph at one hidden unit.</summary>
    private static double[] Evaluate(StepGraph graph, Dictionary<StepBuffer, double[]> inputs, int j)
    {
        var values = new double[graph.Nodes.Count];
        for (int id = 0; id < values.Length; id++)
        {
            var node = graph.Nodes[id];
            Assert.True(node.Left < id && node.Right < id, "operands come first");
            double a = node.Left >= 0 ? values[node.Left] : 0, b = node.Right >= 0 ? values[node.Right] : 0;
            values[id] = node.Op switch
            {
                StepOp.Constant => node.Value,
                StepOp.Load => inputs[node.Buffer][node.Index * Hidden + j],
                StepOp.Negate => -a,
                StepOp.Add => a + b,
                StepOp.Subtract => a - b,
                StepOp.Multiply => a * b,
                StepOp.Divide => a / b,
                StepOp.Sigmoid => 1 / (1 + Math.Exp(-a)),
                StepOp.Tanh => Math.Tanh(a),
                StepOp.Relu => Math.Max(a, 0),
                StepOp.HardSigmoid => Math.Clamp(0.2 * a + 0.5, 0, 1),
                StepOp.Exp => Math.Exp(a),
                _ => throw new InvalidOperationException(node.Op.ToString()),
            };
        }

        return values;
    }
}
