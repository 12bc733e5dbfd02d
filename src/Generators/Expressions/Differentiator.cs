using System.Collections.Generic;
using System.Linq;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators.Expressions;

/// <summary>
/// Symbolic reverse-mode differentiation on a <see cref="Dag"/>: the adjoints are built as nodes of the same DAG,
/// so they share subexpressions with each other and with the recomputed forward values. Saved values
/// (gate activations, new states) pass their adjoint on to their <see cref="Definition"/>; the derivative of an
/// activation is taken from its output y (sigmoid y(1-y), tanh 1-y², exp y, relu Positive(y), hard-sigmoid
/// HardSigmoidSlope(y)).
/// </summary>
internal static class Differentiator
{
    /// <summary>Adjoint node of every node reached from the seeds; a node with no adjoint has no path.</summary>
    public static Dictionary<int, int> Adjoints(Dag dag, IReadOnlyDictionary<int, Definition> definitions, IEnumerable<(int Node, int Adjoint)> seeds)
    {
        var contributions = new Dictionary<int, List<int>>();
        void Contribute(int node, int adjoint)
        {
            if (dag[adjoint].IsConstant(0))
            {
                return;
            }

            if (!contributions.TryGetValue(node, out var list))
            {
                contributions[node] = list = [];
            }

            list.Add(adjoint);
        }

        var seedList = seeds.ToList();
        foreach (var (node, adjoint) in seedList)
        {
            Contribute(node, adjoint);
        }

        // Reverse topological order of the graph extended by the definition edges.
        var postOrder = new List<int>();
        var visited = new HashSet<int>();
        void Visit(int node)
        {
            if (!visited.Add(node))
            {
                return;
            }

            foreach (var child in Children(dag, definitions, node))
            {
                Visit(child);
            }

            postOrder.Add(node);
        }

        foreach (var (node, _) in seedList)
        {
            Visit(node);
        }

        var adjoints = new Dictionary<int, int>();
        for (int i = postOrder.Count - 1; i >= 0; i--)
        {
            int node = postOrder[i];
            if (!contributions.TryGetValue(node, out var list))
            {
                continue;
            }

            int adjoint = list[0];
            for (int c = 1; c < list.Count; c++)
            {
                adjoint = dag.Add(adjoint, list[c]);
            }

            adjoints[node] = adjoint;
            Propagate(dag, definitions, node, adjoint, Contribute);
        }

        return adjoints;
    }

    private static IEnumerable<int> Children(Dag dag, IReadOnlyDictionary<int, Definition> definitions, int node)
    {
        var n = dag[node];
        if (n.Left >= 0)
        {
            yield return n.Left;
        }

        if (n.Right >= 0)
        {
            yield return n.Right;
        }

        if (definitions.TryGetValue(node, out var definition))
        {
            yield return definition.Root;
        }
    }

    private static void Propagate(Dag dag, IReadOnlyDictionary<int, Definition> definitions, int node, int adjoint, System.Action<int, int> contribute)
    {
        var n = dag[node];
        int one = dag.Constant(1);
        switch (n.Op)
        {
            case Op.Load when definitions.TryGetValue(node, out var definition):
                contribute(definition.Root, dag.Multiply(adjoint, ActivationDerivative(dag, definition.Activation, node)));
                break;
            case Op.Negate:
                contribute(n.Left, dag.Negate(adjoint));
                break;
            case Op.Add:
                contribute(n.Left, adjoint);
                contribute(n.Right, adjoint);
                break;
            case Op.Subtract:
                contribute(n.Left, adjoint);
                contribute(n.Right, dag.Negate(adjoint));
                break;
            case Op.Multiply:
                contribute(n.Left, dag.Multiply(adjoint, n.Right));
                contribute(n.Right, dag.Multiply(adjoint, n.Left));
                break;
            case Op.Divide:
                // d(a/b) = da / b - (a/b) db / b
                contribute(n.Left, dag.Divide(adjoint, n.Right));
                contribute(n.Right, dag.Negate(dag.Divide(dag.Multiply(adjoint, node), n.Right)));
                break;
            case Op.Sigmoid:
                contribute(n.Left, dag.Multiply(adjoint, dag.Multiply(node, dag.Subtract(one, node))));
                break;
            case Op.Tanh:
                contribute(n.Left, dag.Multiply(adjoint, dag.Subtract(one, dag.Multiply(node, node))));
                break;
            case Op.Relu:
                contribute(n.Left, dag.Multiply(adjoint, dag.Call(Op.Positive, node)));
                break;
            case Op.HardSigmoid:
                contribute(n.Left, dag.Multiply(adjoint, dag.Call(Op.HardSigmoidSlope, node)));
                break;
            case Op.Exp:
                contribute(n.Left, dag.Multiply(adjoint, node));
                break;
        }
    }

    private static int ActivationDerivative(Dag dag, ActivationKind activation, int y) => activation switch
    {
        ActivationKind.Sigmoid => dag.Multiply(y, dag.Subtract(dag.Constant(1), y)),
        ActivationKind.Tanh => dag.Subtract(dag.Constant(1), dag.Multiply(y, y)),
        ActivationKind.Relu => dag.Call(Op.Positive, y),
        ActivationKind.HardSigmoid => dag.Call(Op.HardSigmoidSlope, y),
        _ => dag.Constant(1),
    };
}
