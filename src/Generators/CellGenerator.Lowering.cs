using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using SimdRnn.Generators.Expressions;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators;

public sealed partial class CellGenerator
{
    /// <summary>
    /// Spec to lowered model, once: analyse the spec, build each method's expressions into a DAG, differentiate
    /// the backward ones, decide what backward reads, and flatten every method into a <see cref="LoweredMethod"/>.
    /// The printers (<see cref="Emitter"/>) only read the result.
    /// </summary>
    internal static class Lowering
    {
        /// <summary>Lowers a spec that has passed the parser's checks.</summary>
        public static LoweredCell Lower(CellSpec spec)
        {
            var model = CellAnalyzer.Analyze(spec, [])
                ?? throw new System.InvalidOperationException($"cell '{spec.CellName}' has errors and cannot be lowered");

            var backwardRecurrentInput = BackwardRecurrentInput(model);
            var (backward, sharedGradient) = Backward(model);
            var backwardReads = new HashSet<StepBuffer>(backwardRecurrentInput.Buffers.Concat(backward.Buffers).Select(b => b.Buffer));
            var (forward, loadsProjectionsFirst) = Forward(model);
            return new LoweredCell(
                spec,
                model.PreActivationTexts.ToEquatableArray(),
                model.Recurrences.Select(r => new LoweredRecurrence(r)).ToEquatableArray(),
                model.UpdateTexts.ToEquatableArray(),
                model.OutputText,
                model.RecurrentInputText,
                SpecHash(CanonicalText(model)),
                new LoweredReads(
                    backwardReads.Contains(StepBuffer.XProj),
                    backwardReads.Contains(StepBuffer.HProj),
                    backwardReads.Contains(StepBuffer.RProj),
                    sharedGradient),
                !backwardReads.Contains(StepBuffer.XProj) && loadsProjectionsFirst,
                ForwardRecurrentInput(model),
                forward,
                backwardRecurrentInput,
                backward);
        }

        /// <summary>The text <see cref="SpecHash"/> hashes: every semantic part of the spec, expressions in canonical form.</summary>
        public static string CanonicalText(CellModel model)
        {
            var spec = model.Spec;
            var text = new StringBuilder();
            text.Append("cell ").Append(spec.CellName).Append('\n');
            for (int k = 0; k < spec.Gates.Count; k++)
            {
                var gate = spec.Gates[k];
                text.Append("gate ").Append(gate.Name).Append(' ').Append(gate.Activation)
                    .Append(" = ").Append(model.PreActivationTexts[k])
                    .Append("; bias ").Append(Number(gate.BiasInit))
                    .Append("; recurrence ").Append(model.Recurrences[k]).Append('\n');
            }

            foreach (var (state, update) in spec.States.Zip(model.UpdateTexts, (s, u) => (s, u)))
            {
                text.Append("state ").Append(state.Name).Append(" = ").Append(update).Append('\n');
            }

            foreach (var parameter in spec.Parameters)
            {
                text.Append("parameter ").Append(parameter.Name).Append(" in [").Append(Number(parameter.InitLow)).Append(", ").Append(Number(parameter.InitHigh)).Append("]\n");
            }

            if (model.RecurrentInputText is not null)
            {
                text.Append("recurrent input = ").Append(model.RecurrentInputText).Append('\n');
            }

            text.Append("output ").Append(spec.OutputName).Append(" = ").Append(model.OutputText).Append('\n');
            return text.ToString();
        }

        /// <summary>FNV-1a 64 of the UTF-8 canonical text, as 16 lowercase hex digits.</summary>
        public static string SpecHash(string canonicalText)
        {
            const ulong offsetBasis = 14695981039346656037;
            const ulong prime = 1099511628211;
            ulong hash = offsetBasis;
            foreach (byte b in Encoding.UTF8.GetBytes(canonicalText))
            {
                hash ^= b;
                hash *= prime;
            }

            return hash.ToString("x16", CultureInfo.InvariantCulture);
        }

        /// <summary>A block under construction: comments, named nodes and stores.</summary>
        private sealed record Block(IReadOnlyList<string> Comments, IReadOnlyList<(int Node, string Name)> Named, IReadOnlyList<Store> Stores);

        /// <summary>
        /// The step, and whether it loads each gate's input projection no later than the block that stores the gate.
        /// Every load of a block comes before its stores (<see cref="KernelWriter"/>), so then a gate may overwrite its
        /// own projection in place.
        /// </summary>
        private static (LoweredMethod Method, bool LoadsProjectionsFirst) Forward(CellModel model)
        {
            var graph = new CellGraph(model, backward: false);
            var blocks = new List<Block>();
            foreach (var entity in model.ForwardOrder)
            {
                int value = graph.Value(entity);
                var store = entity.Kind switch
                {
                    EntityKind.Gate => new Store(value, StepBuffer.Gates, entity.Index),
                    EntityKind.State => new Store(value, StepBuffer.StateNew, entity.Index),
                    _ => new Store(value, StepBuffer.HNew, 0),
                };
                blocks.Add(new Block([Formula(model, entity)], [(value, LocalName(model.Spec, entity))], [store]));
            }

            return (Flatten(graph, blocks) with { SecondPass = SecondPass(graph.Dag, blocks) }, LoadsProjectionsFirst(graph.Dag, blocks));
        }

        /// <summary>
        /// Where the step gets a second loop over the elements: at the first block that takes an activation computed by
        /// an earlier one (LSTM's c from its gates, GRU's n from r), when the rest holds an activation of its own. In one
        /// loop, the chain of activations per element is too long for the out-of-order window to overlap many elements
        /// (the AVX2 LSTM step ran 18% faster split, measured with a copy of it). The second loop reads back what the
        /// first stored, so every value the two share must be stored by the first; and it must not load an input
        /// projection the first may have overwritten with its gate. Otherwise 0: one loop.
        /// </summary>
        private static int SecondPass(Dag dag, List<Block> blocks)
        {
            IEnumerable<int> Roots(IEnumerable<Block> range) => range.SelectMany(b => b.Named.Select(n => n.Node).Concat(b.Stores.Select(s => s.Node)));
            bool IsActivation(int id) => dag[id].Op is Op.Sigmoid or Op.Tanh or Op.Exp;

            var first = new HashSet<int>();
            int split = 0;
            for (int b = 0; b < blocks.Count && split == 0; b++)
            {
                var reached = Reachable(dag, Roots([blocks[b]]));
                if (b > 0 && reached.Any(id => first.Contains(id) && IsActivation(id)))
                {
                    split = b;
                }
                else
                {
                    first.UnionWith(reached);
                }
            }

            if (split == 0)
            {
                return 0;
            }

            var firstStores = blocks.Take(split).SelectMany(b => b.Stores).ToList();
            var stored = new HashSet<int>(firstStores.Where(s => !s.Accumulate).Select(s => s.Node));
            var overwritten = new HashSet<int>(firstStores.Where(s => s.Buffer == StepBuffer.Gates).Select(s => s.Index));
            var seen = new HashSet<int>();
            var work = new Stack<int>(Roots(blocks.Skip(split)));
            bool activation = false;
            while (work.Count > 0)
            {
                int id = work.Pop();
                if (!seen.Add(id) || stored.Contains(id))
                {
                    continue;
                }

                var node = dag[id];
                if ((node.Op == Op.Load && node.Buffer == StepBuffer.XProj && overwritten.Contains(node.Index))
                    || (first.Contains(id) && node.Op != Op.Load && node.Op != Op.Constant))
                {
                    return 0;
                }

                activation |= IsActivation(id);
                if (node.Left >= 0)
                {
                    work.Push(node.Left);
                }

                if (node.Right >= 0)
                {
                    work.Push(node.Right);
                }
            }

            return activation ? split : 0;
        }

        private static bool LoadsProjectionsFirst(Dag dag, List<Block> blocks)
        {
            var loaded = new HashSet<int>();
            var storedGates = new HashSet<int>();
            foreach (var block in blocks)
            {
                foreach (int id in Reachable(dag, block.Named.Select(n => n.Node).Concat(block.Stores.Select(s => s.Node))))
                {
                    var node = dag[id];
                    if (node.Op == Op.Load && node.Buffer == StepBuffer.XProj && loaded.Add(id) && storedGates.Contains(node.Index))
                    {
                        return false;   // first read after the gate took its place
                    }
                }

                foreach (var store in block.Stores.Where(s => s.Buffer == StepBuffer.Gates))
                {
                    storedGates.Add(store.Index);
                }
            }

            return true;
        }

        private static LoweredMethod ForwardRecurrentInput(CellModel model)
        {
            if (model.RecurrentInput is null)
            {
                return LoweredMethod.Empty;
            }

            var graph = new CellGraph(model, backward: false);
            var blocks = new List<Block>();
            var rinput = new Entity(EntityKind.RecurrentInput, 0);
            var needed = Closure(model, rinput, throughProjections: false);
            foreach (var entity in model.ForwardOrder.Where(needed.Contains))
            {
                blocks.Add(new Block([Formula(model, entity)], [(graph.Value(entity), LocalName(model.Spec, entity))], []));
            }

            int value = graph.Value(rinput);
            blocks.Add(new Block([Formula(model, rinput)], [(value, "rinput")], [new Store(value, StepBuffer.RInput, 0)]));
            return Flatten(graph, blocks);
        }

        private static LoweredMethod BackwardRecurrentInput(CellModel model)
        {
            if (model.RecurrentInput is null)
            {
                return LoweredMethod.Empty;
            }

            var graph = new CellGraph(model, backward: true);
            var adjoints = Differentiate(graph, includeRecurrentInput: false);
            var stores = new List<Store>();
            for (int k = 0; k < model.Spec.Gates.Count; k++)
            {
                if (model.Recurrences[k] == RecurrenceKind.Expression)
                {
                    stores.Add(new Store(Adjoint(graph, adjoints, StepBuffer.RProj, model.ProjectionIndices[k]), StepBuffer.dRProj, model.ProjectionIndices[k]));
                }
            }

            var blocks = AdjointBlocks(graph, adjoints, stores);
            blocks.Add(new Block(["dRProj: the adjoints of the recurrent-input projections"], [], stores));
            return Flatten(graph, blocks);
        }

        /// <summary>
        /// The backward step, and whether the gradient of every gate's recurrent projection is the gradient of its
        /// input projection (every gate projects the output and enters as <c>x_k + h_k</c>): then only dXProj is
        /// written and the engine reads it as dHProj too.
        /// </summary>
        private static (LoweredMethod Method, bool SharedGradient) Backward(CellModel model)
        {
            var graph = new CellGraph(model, backward: true);
            var adjoints = Differentiate(graph, includeRecurrentInput: model.RecurrentInput is not null);
            var spec = model.Spec;

            var stores = new List<Store>();
            for (int k = 0; k < spec.Gates.Count; k++)
            {
                stores.Add(new Store(Adjoint(graph, adjoints, StepBuffer.XProj, k), StepBuffer.dXProj, k));
            }

            bool shared = Enumerable.Range(0, spec.Gates.Count).All(k =>
                model.Recurrences[k] == RecurrenceKind.Output
                && model.ProjectionIndices[k] == k
                && Adjoint(graph, adjoints, StepBuffer.HProj, k) == Adjoint(graph, adjoints, StepBuffer.XProj, k));
            for (int k = 0; k < spec.Gates.Count && !shared; k++)
            {
                if (model.Recurrences[k] == RecurrenceKind.Output)
                {
                    stores.Add(new Store(Adjoint(graph, adjoints, StepBuffer.HProj, model.ProjectionIndices[k]), StepBuffer.dHProj, model.ProjectionIndices[k]));
                }
            }

            stores.Add(new Store(Adjoint(graph, adjoints, StepBuffer.HPrev, 0), StepBuffer.dHPrev, 0));
            for (int s = 0; s < spec.States.Count; s++)
            {
                stores.Add(new Store(Adjoint(graph, adjoints, StepBuffer.StatePrev, s), StepBuffer.dStatePrev, s));
            }

            for (int p = 0; p < spec.Parameters.Count; p++)
            {
                stores.Add(new Store(Adjoint(graph, adjoints, StepBuffer.Params, p), StepBuffer.dParams, p, Accumulate: true));
            }

            var blocks = AdjointBlocks(graph, adjoints, stores);
            blocks.Add(new Block([shared
                ? "adjoints of the inputs: dXProj (also dHProj: every h_k enters as x_k does), dHPrev (elementwise part), dStatePrev; dParams accumulates"
                : "adjoints of the inputs: dXProj, dHProj, dHPrev (elementwise part), dStatePrev; dParams accumulates"], [], stores));
            return (Flatten(graph, blocks), shared);
        }

        /// <summary>
        /// The method's blocks over only the nodes they reach, renumbered in the DAG's order (so still topological),
        /// with the local name of every load and the buffers read or written.
        /// </summary>
        private static LoweredMethod Flatten(CellGraph graph, List<Block> blocks)
        {
            var dag = graph.Dag;
            var roots = blocks.SelectMany(b => b.Named.Select(n => n.Node).Concat(b.Stores.Select(s => s.Node)));
            var reached = Reachable(dag, roots).OrderBy(id => id).ToList();
            var renumber = new Dictionary<int, int>();
            var nodes = new List<Node>();
            foreach (int id in reached)
            {
                var node = dag[id];
                renumber[id] = nodes.Count;
                nodes.Add(node with
                {
                    Left = node.Left < 0 ? -1 : renumber[node.Left],
                    Right = node.Right < 0 ? -1 : renumber[node.Right],
                });
            }

            var loadNames = LoadNames(graph)
                .Where(pair => renumber.ContainsKey(pair.Key))
                .Select(pair => new NamedNode(renumber[pair.Key], pair.Value))
                .OrderBy(n => n.Node);
            var buffers = nodes.Where(n => n.Op == Op.Load).Select(n => n.Buffer)
                .Concat(blocks.SelectMany(b => b.Stores).Select(s => s.Buffer))
                .Distinct()
                .OrderBy(b => b)
                .Select(b => new BufferUse(b));
            var lowered = blocks.Select(b => new LoweredBlock(
                b.Comments.ToEquatableArray(),
                b.Named.Select(n => new NamedNode(renumber[n.Node], n.Name)).ToEquatableArray(),
                b.Stores.Select(s => s with { Node = renumber[s.Node] }).ToEquatableArray()));
            return new LoweredMethod(nodes.ToEquatableArray(), lowered.ToEquatableArray(), loadNames.ToEquatableArray(), buffers.ToEquatableArray());
        }

        /// <summary>The local name of every load a method may contain.</summary>
        private static Dictionary<int, string> LoadNames(CellGraph graph)
        {
            var spec = graph.Model.Spec;
            var dag = graph.Dag;
            var names = new Dictionary<int, string>();
            for (int id = 0; id < dag.Count; id++)
            {
                var node = dag[id];
                if (node.Op != Op.Load)
                {
                    continue;
                }

                names[id] = node.Buffer switch
                {
                    StepBuffer.XProj => "x_" + spec.Gates[node.Index].Name,
                    StepBuffer.HProj or StepBuffer.RProj => "h_" + GateOfProjection(graph, node.Buffer, node.Index),
                    StepBuffer.HPrev => spec.OutputName + "_prev",
                    StepBuffer.StatePrev => spec.States[node.Index].Name,
                    StepBuffer.Params => spec.Parameters[node.Index].Name,
                    StepBuffer.Gates => spec.Gates[node.Index].Name,
                    StepBuffer.StateNew => spec.States[node.Index].Name + "_new",
                    StepBuffer.dHNew => "d" + spec.OutputName + "_new",
                    StepBuffer.dStateNew => "d" + spec.States[node.Index].Name + "_new",
                    StepBuffer.dRInput => "drinput",
                    _ => "v",
                };
            }

            return names;
        }

        private static string GateOfProjection(CellGraph graph, StepBuffer buffer, int index)
        {
            for (int k = 0; k < graph.Model.Spec.Gates.Count; k++)
            {
                if (graph.Projection(k) == (buffer, index))
                {
                    return graph.Model.Spec.Gates[k].Name;
                }
            }

            return "?";
        }

        private static string Formula(CellModel model, Entity entity)
        {
            var spec = model.Spec;
            switch (entity.Kind)
            {
                case EntityKind.Gate:
                {
                    var gate = spec.Gates[entity.Index];
                    var pre = model.PreActivationTexts[entity.Index];
                    return gate.Activation switch
                    {
                        ActivationKind.Identity => $"{gate.Name} = {pre}",
                        ActivationKind.HardSigmoid => $"{gate.Name} = hard_sigmoid({pre})",
                        _ => $"{gate.Name} = {gate.Activation.ToString().ToLowerInvariant()}({pre})",
                    };
                }

                case EntityKind.State:
                    return $"{spec.States[entity.Index].Name} = {model.UpdateTexts[entity.Index]}";
                case EntityKind.Output:
                    return $"{spec.OutputName} = {model.OutputText}";
                default:
                    return $"recurrent input = {model.RecurrentInputText}";
            }
        }

        private static string LocalName(CellSpec spec, Entity entity) => entity.Kind switch
        {
            EntityKind.Gate => spec.Gates[entity.Index].Name,
            EntityKind.State => spec.States[entity.Index].Name + "_new",
            EntityKind.Output => spec.OutputName + "_new",
            _ => "rinput",
        };

        private static Dictionary<int, int> Differentiate(CellGraph graph, bool includeRecurrentInput)
        {
            var model = graph.Model;
            var dag = graph.Dag;

            // Every saved value and its definition must exist before differentiating.
            for (int k = 0; k < model.Spec.Gates.Count; k++)
            {
                graph.Value(new Entity(EntityKind.Gate, k));
            }

            var seeds = new List<(int, int)>
            {
                (graph.Value(new Entity(EntityKind.Output, 0)), dag.Load(StepBuffer.dHNew, 0)),
            };
            for (int s = 0; s < model.Spec.States.Count; s++)
            {
                seeds.Add((graph.Value(new Entity(EntityKind.State, s)), dag.Load(StepBuffer.dStateNew, s)));
            }

            if (includeRecurrentInput)
            {
                seeds.Add((graph.Value(new Entity(EntityKind.RecurrentInput, 0)), dag.Load(StepBuffer.dRInput, 0)));
            }

            return Differentiator.Adjoints(dag, graph.Definitions, seeds);
        }

        /// <summary>One block per gate and state the stores need, in reverse evaluation order, naming its adjoint.</summary>
        private static List<Block> AdjointBlocks(CellGraph graph, Dictionary<int, int> adjoints, List<Store> stores)
        {
            var model = graph.Model;
            var needed = Reachable(graph.Dag, stores.Select(s => s.Node));
            var blocks = new List<Block>();
            foreach (var entity in model.ForwardOrder.Reverse())
            {
                if (entity.Kind == EntityKind.Output)
                {
                    continue;
                }

                int value = graph.Value(entity);
                if (!adjoints.TryGetValue(value, out int adjoint))
                {
                    continue;
                }

                var named = new List<(int, string)>();
                if (entity.Kind == EntityKind.State)
                {
                    named.Add((adjoint, "d" + model.Spec.States[entity.Index].Name + "_total"));
                }
                else
                {
                    var name = model.Spec.Gates[entity.Index].Name;
                    named.Add((adjoint, "d_" + name));
                    if (adjoints.TryGetValue(graph.PreActivation(entity.Index), out int pre))
                    {
                        named.Add((pre, "dpre_" + name));
                    }
                }

                named.RemoveAll(n => !needed.Contains(n.Item1));
                if (named.Count == 0)
                {
                    continue;
                }

                blocks.Add(new Block(["through " + Formula(model, entity)], named, []));
            }

            return blocks;
        }

        private static int Adjoint(CellGraph graph, Dictionary<int, int> adjoints, StepBuffer buffer, int index)
        {
            int load = graph.Dag.Load(buffer, index);
            return adjoints.TryGetValue(load, out int adjoint) ? adjoint : graph.Dag.Constant(0);
        }

        private static HashSet<int> Reachable(Dag dag, IEnumerable<int> roots)
        {
            var seen = new HashSet<int>();
            var work = new Stack<int>(roots);
            while (work.Count > 0)
            {
                int id = work.Pop();
                if (seen.Add(id))
                {
                    if (dag[id].Left >= 0)
                    {
                        work.Push(dag[id].Left);
                    }

                    if (dag[id].Right >= 0)
                    {
                        work.Push(dag[id].Right);
                    }
                }
            }

            return seen;
        }

        private static HashSet<Entity> Closure(CellModel model, Entity root, bool throughProjections)
        {
            var seen = new HashSet<Entity>();
            var work = new Stack<Entity>();
            work.Push(root);
            while (work.Count > 0)
            {
                var entity = work.Pop();
                if (seen.Add(entity))
                {
                    foreach (var next in CellAnalyzer.Dependencies(model, entity, throughProjections))
                    {
                        work.Push(next);
                    }
                }
            }

            return seen;
        }

        private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
